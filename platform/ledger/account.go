package ledger

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/tenant"
)

// Kind is the kind of an account. It decides what a balance means, not how it is
// computed: every balance is debits minus credits.
type Kind string

// The kinds of account.
const (
	Asset     Kind = "asset"     // the bank account, the gemeente's claims on residents
	Liability Kind = "liability" // what is owed to residents and creditors, the reserve
	Expense   Kind = "expense"   // bijstand paid out
	Income    Kind = "income"    // recoveries and other income
)

func (k Kind) valid() bool {
	switch k {
	case Asset, Liability, Expense, Income:
		return true
	}
	return false
}

// The accounts every tenant has, created on first use by Post.
const (
	// Bank is the gemeente's bank account the payments leave from (asset).
	Bank = "bank"
	// BijstandExpense is the bijstand granted (expense).
	BijstandExpense = "bijstand_expense"
	// VakantietoeslagReserve holds the vakantietoeslag reserved each month until it is
	// paid out (liability, docs/domain.md §1).
	VakantietoeslagReserve = "vakantietoeslag_reserve"
	// GemeenteClaims are the gemeente's own claims on residents, settled by verrekening
	// (asset, docs/domain.md §3).
	GemeenteClaims = "gemeente_claims"
)

// ResidentAccount returns the code of what is payable to the resident with id (a
// liability, created on first use by Post).
func ResidentAccount(id string) string { return "resident:" + id }

// CreditorAccount returns the code of what is payable to the creditor with id (a
// liability, created on first use by Post).
func CreditorAccount(id string) string { return "creditor:" + id }

// validCode reports whether code passes the database's check on account codes, a
// family, optionally ":" and an id:
//
//	^[a-z][a-z0-9_]{0,62}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$
//
// Written out rather than as a regexp, which took a third of the time PostBatch spends
// checking a settlement in Go (TestValidCode holds the two equal).
func validCode(code string) bool {
	family, id, hasID := strings.Cut(code, ":")
	if len(family) == 0 || len(family) > 63 || !lower(family[0]) {
		return false
	}
	for _, c := range []byte(family[1:]) {
		if !lower(c) && !digit(c) && c != '_' {
			return false
		}
	}
	if !hasID {
		return true
	}
	if len(id) == 0 || len(id) > 64 || !alnum(id[0]) {
		return false
	}
	for _, c := range []byte(id[1:]) {
		if !alnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func lower(c byte) bool { return c >= 'a' && c <= 'z' }
func digit(c byte) bool { return c >= '0' && c <= '9' }
func alnum(c byte) bool { return lower(c) || digit(c) || c >= 'A' && c <= 'Z' }

// residentID reports whether id has the form of a resident id (migration 00002), a
// UUID v4 in lower case:
//
//	^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$
//
// Written out rather than as a regexp, which took ~100 ms of a first settlement's
// 100,000 new accounts (TestResidentID holds the two equal).
func residentID(id string) bool {
	if len(id) != 36 || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
		return false
	}
	for i := range len(id) {
		switch i {
		case 8, 13, 18, 23:
			if id[i] != '-' {
				return false
			}
		default:
			if c := id[i]; !digit(c) && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// KnownAccount returns the kind and name of the account code when it is one that Post
// creates on first use: the four fixed accounts, "resident:<uuid>" and "creditor:<id>".
func KnownAccount(code string) (kind Kind, name string, ok bool) {
	switch code {
	case Bank:
		return Asset, "Bankrekening", true
	case BijstandExpense:
		return Expense, "Bijstand", true
	case VakantietoeslagReserve:
		return Liability, "Reserve vakantietoeslag", true
	case GemeenteClaims:
		return Asset, "Vorderingen van de gemeente", true
	}
	if !validCode(code) {
		return "", "", false
	}
	family, id, _ := strings.Cut(code, ":")
	switch {
	case family == "resident" && residentID(id):
		return Liability, "Te betalen aan inwoner " + id, true
	case family == "creditor" && id != "":
		return Liability, "Te betalen aan schuldeiser " + id, true
	}
	return "", "", false
}

// EnsureAccount makes sure the tenant of ctx has the account code of the given kind,
// creating it with name when it does not exist. An existing account keeps its name; one
// of another kind is ErrAccountConflict.
func EnsureAccount(ctx context.Context, tx pgx.Tx, code string, kind Kind, name string) error {
	tid, err := tenant.Require(ctx)
	if err != nil {
		return fmt.Errorf("ledger: account: %w", err)
	}
	if !validCode(code) {
		return fmt.Errorf("%w: code %q", ErrInvalidAccount, code)
	}
	if !kind.valid() {
		return fmt.Errorf("%w: kind %q of %s", ErrInvalidAccount, kind, code)
	}
	if name = strings.TrimSpace(name); name == "" || len([]rune(name)) > 200 {
		return fmt.Errorf("%w: name of %s must have 1 to 200 characters", ErrInvalidAccount, code)
	}
	// ON CONFLICT DO NOTHING waits for a concurrent insert of the same code and then
	// finds it, so two transactions may ensure the same account at once.
	var got Kind
	err = tx.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO ledger_accounts (tenant_id, code, kind, name) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, code) DO NOTHING
			RETURNING kind)
		SELECT kind FROM ins`, string(tid), code, string(kind), name).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `SELECT kind FROM ledger_accounts WHERE code = $1`, code).Scan(&got)
	}
	if err != nil {
		return fmt.Errorf("ledger: account %s: %w", code, err)
	}
	if got != kind {
		return fmt.Errorf("%w: %s is %s, not %s", ErrAccountConflict, code, got, kind)
	}
	return nil
}

// ensureAccounts makes sure every account in uses (a code and the key of an entry
// posting to it) exists, creating those KnownAccount knows in one statement; one it
// does not know and the tenant does not have is ErrUnknownAccount, naming the entry.
// The database is asked for the missing codes only, so that accounts that exist
// already cost one anti-join and an empty answer.
func ensureAccounts(ctx context.Context, tx pgx.Tx, uses map[string]string) error {
	rows, err := tx.Query(ctx, `
		SELECT c FROM unnest($1::text[]) AS c
		WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.code = c)`,
		slices.Collect(maps.Keys(uses)))
	if err != nil {
		return fmt.Errorf("ledger: accounts: %w", err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("ledger: accounts: %w", err)
	}
	return createAccounts(ctx, tx, missing, uses)
}

// createAccounts creates the accounts missing, which the tenant does not have, when
// KnownAccount knows them all; one it does not know is ErrUnknownAccount, naming the
// entry that uses (a code and the key of an entry posting to it) gives for it.
func createAccounts(ctx context.Context, tx pgx.Tx, missing []string, uses map[string]string) error {
	if len(missing) == 0 {
		return nil
	}
	tid, err := tenant.Require(ctx)
	if err != nil {
		return fmt.Errorf("ledger: accounts: %w", err)
	}
	slices.Sort(missing)
	kinds, names := make([]string, len(missing)), make([]string, len(missing))
	for i, c := range missing {
		kind, name, ok := KnownAccount(c)
		if !ok {
			return fmt.Errorf("%w: %s, posted to by %s", ErrUnknownAccount, c, uses[c])
		}
		kinds[i], names[i] = string(kind), name
	}
	// In sorted order, so that two transactions creating the same accounts wait on each
	// other instead of deadlocking; ON CONFLICT DO NOTHING waits for a concurrent insert
	// of the same code and then leaves it, as an account found existing.
	_, err = tx.Exec(ctx, `
		INSERT INTO ledger_accounts (tenant_id, code, kind, name)
		SELECT $1, a.code, a.kind, a.name FROM unnest($2::text[], $3::text[], $4::text[]) AS a (code, kind, name)
		ORDER BY a.code
		ON CONFLICT (tenant_id, code) DO NOTHING`, string(tid), missing, kinds, names)
	if err != nil {
		return fmt.Errorf("ledger: accounts: %w", err)
	}
	return nil
}
