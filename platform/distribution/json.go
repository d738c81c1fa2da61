package distribution

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"strings"

	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/strictjson"
)

type inputJSON struct {
	Capacity        *int64            `json:"capacity_cents_per_month"`
	Months          *int              `json:"months"`
	PreferentFactor *json.Number      `json:"preferent_factor"`
	Claims          []json.RawMessage `json:"claims"`
}

type claimJSON struct {
	ID          string `json:"id"`
	AmountCents *int64 `json:"amount_cents"`
	Preferent   bool   `json:"preferent"`
}

// DecodeInput reads the JSON input of `plein calc distribution`. Omitted months and
// preferent_factor take their defaults (18 and 2); an unknown field, a wrong type or a
// missing amount is an InputError naming the field.
func DecodeInput(r io.Reader) (Input, error) {
	dec, err := strictjson.Read(r, 4<<20)
	if err != nil {
		return Input{}, err
	}
	var in inputJSON
	if err := dec.Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Input{}, &InputError{te.Field, "must be a JSON " + strictjson.Kind(te.Type) + ", not " + te.Value}
		}
		if name, ok := strictjson.UnknownField(err); ok {
			return Input{}, &InputError{name, "unknown field"}
		}
		return Input{}, &InputError{"(input)", "malformed JSON: " + err.Error()}
	}
	if in.Capacity == nil {
		return Input{}, &InputError{"capacity_cents_per_month", "is required"}
	}
	out := Input{CapacityPerMonth: money.Cents(*in.Capacity), Months: DefaultMonths}
	if in.Months != nil {
		out.Months = *in.Months
	}
	if in.PreferentFactor != nil {
		f, ok := new(big.Rat).SetString(in.PreferentFactor.String())
		if !ok {
			return Input{}, &InputError{"preferent_factor", "must be a number"}
		}
		out.PreferentFactor = f
	}
	for i, raw := range in.Claims {
		field := "claims[" + itoa(i) + "]"
		var c claimJSON
		if err := strictjson.NewDecoder(bytes.NewReader(raw)).Decode(&c); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				return Input{}, &InputError{field + "." + te.Field, "must be a JSON " + strictjson.Kind(te.Type) + ", not " + te.Value}
			}
			return Input{}, &InputError{field, strings.TrimPrefix(err.Error(), "json: ")}
		}
		if c.AmountCents == nil {
			return Input{}, &InputError{field + ".amount_cents", "is required"}
		}
		out.Claims = append(out.Claims, Claim{ID: c.ID, Amount: money.Cents(*c.AmountCents), Preferent: c.Preferent})
	}
	return out, nil
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// OutputJSON is the output of `plein calc distribution`.
type OutputJSON struct {
	PoolCents         int64       `json:"pool_cents"`
	TotalClaimsCents  int64       `json:"total_claims_cents"`
	TotalOfferedCents int64       `json:"total_offered_cents"`
	Percentage        string      `json:"concurrent_percentage"`
	Claims            []OfferJSON `json:"claims"`
}

// OfferJSON is one creditor's offer.
type OfferJSON struct {
	ID           string `json:"id"`
	AmountCents  int64  `json:"amount_cents"`
	OfferedCents int64  `json:"offered_cents"`
	Percentage   string `json:"percentage,omitempty"`
}

// ToJSON converts the output; percentages are exact fractions shown with 4 decimals.
func (o Output) ToJSON() OutputJSON {
	out := OutputJSON{PoolCents: int64(o.Pool), TotalClaimsCents: int64(o.TotalClaims), TotalOfferedCents: int64(o.TotalOffered),
		Percentage: pct(o.P), Claims: make([]OfferJSON, len(o.Offers))}
	for i, c := range o.Offers {
		out.Claims[i] = OfferJSON{ID: c.ID, AmountCents: int64(c.Amount), OfferedCents: int64(c.Offered), Percentage: pct(c.Percent)}
	}
	return out
}

func pct(r *big.Rat) string {
	if r == nil {
		return ""
	}
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(4)
}

// DistributeJSON reads an input (DecodeInput) and distributes it: the offers as
// `plein calc distribution` prints them.
func DistributeJSON(r io.Reader) (OutputJSON, error) {
	in, err := DecodeInput(r)
	if err != nil {
		return OutputJSON{}, err
	}
	out, err := Distribute(in)
	if err != nil {
		return OutputJSON{}, err
	}
	return out.ToJSON(), nil
}
