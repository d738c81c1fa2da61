package tenantctl

import (
	"context"
	"fmt"
	"io"

	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/tenant"
)

// KeyRing is what `plein tenant keys` does to a gemeente's BSN keys (a *keyring.Keyring).
type KeyRing interface {
	Rotate(ctx context.Context, t tenant.ID) (byte, error)
	RotateKEK(ctx context.Context, t tenant.ID) (kekVersion, rewrapped int, err error)
	Versions(ctx context.Context, t tenant.ID) ([]keyring.Version, error)
}

// Resealer re-seals a gemeente's BSNs under its current key version (a
// *residents.Resealer).
type Resealer interface {
	Enqueue(ctx context.Context, t tenant.ID) error
	Stale(ctx context.Context, t tenant.ID) (int, error)
}

// Keys is `plein tenant keys show|rotate|reseal`: a gemeente's BSN keys, their
// rotation without downtime, and the re-seal of its BSNs under the newest key.
type Keys struct {
	Ring   KeyRing
	Reseal Resealer
	Tenant tenant.ID
}

// KeysVerb says whether verb is one of `plein tenant keys`.
func KeysVerb(verb string) bool { return verb == "show" || verb == "rotate" || verb == "reseal" }

// Run does verb (KeysVerb); kek is rotate's --kek.
func (k Keys) Run(ctx context.Context, w io.Writer, verb string, kek bool) error {
	switch verb {
	case "show":
		return k.Show(ctx, w)
	case "rotate":
		return k.Rotate(ctx, w, kek)
	case "reseal":
		return k.Resealed(ctx, w)
	}
	return fmt.Errorf("plein tenant keys: unknown verb %q", verb)
}

// Show writes the gemeente's key versions and how many cases wait for the re-seal.
func (k Keys) Show(ctx context.Context, w io.Writer) error {
	stale, err := k.Reseal.Stale(ctx, k.Tenant) // makes the first key if there is none
	if err != nil {
		return err
	}
	vs, err := k.Ring.Versions(ctx, k.Tenant)
	if err != nil {
		return err
	}
	for _, v := range vs {
		rewrapped := ""
		if v.RewrappedAt != nil {
			rewrapped = ", re-wrapped " + v.RewrappedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		fmt.Fprintf(w, "%s: key version %d under KEK %s, made %s%s\n", k.Tenant, v.Version, v.KEKID,
			v.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), rewrapped)
	}
	fmt.Fprintf(w, "%s: %d cases have a BSN under an older key version\n", k.Tenant, stale)
	return nil
}

// Rotate gives the gemeente a new data key, which new seals use at once, and starts
// the re-seal of its older rows; old rows stay readable meanwhile and the blind index
// does not change. With kek it rotates the key-encryption key instead: the data keys
// are re-wrapped, no BSN is rewritten.
func (k Keys) Rotate(ctx context.Context, w io.Writer, kek bool) error {
	if kek {
		v, n, err := k.Ring.RotateKEK(ctx, k.Tenant)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: key-encryption key %s is at version %d; %d key versions re-wrapped, no BSN rewritten\n",
			k.Tenant, keyring.KEKID(k.Tenant), v, n)
		return nil
	}
	v, err := k.Ring.Rotate(ctx, k.Tenant)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: new BSNs are sealed with key version %d; older versions stay readable\n", k.Tenant, v)
	return k.Resealed(ctx, w)
}

// Resealed starts the re-seal job of the gemeente's cases under an older key version
// (after a rotation, or to move rows off the global key of before).
func (k Keys) Resealed(ctx context.Context, w io.Writer) error {
	stale, err := k.Reseal.Stale(ctx, k.Tenant)
	if err != nil {
		return err
	}
	if stale == 0 {
		fmt.Fprintf(w, "%s: every case is sealed with the newest key; nothing to re-seal\n", k.Tenant)
		return nil
	}
	if err := k.Reseal.Enqueue(ctx, k.Tenant); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d cases are re-sealed by the job residents.reseal (plein work or plein dev runs it; plein tenant keys show %s follows it)\n",
		k.Tenant, stale, k.Tenant)
	return nil
}
