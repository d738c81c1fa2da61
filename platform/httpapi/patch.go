package httpapi

// Patch is the change a PATCH body makes to a record of type T, built field by field
// while the body is validated and applied only once every field has passed: a field
// the body left out (nil) stays as it is.
type Patch[T any] []func(*T)

// Apply makes the change to rec.
func (p Patch[T]) Apply(rec *T) {
	for _, f := range p {
		f(rec)
	}
}

// Set adds to p the change of one field when the body sent it (sent is not nil): check
// turns the value sent into the one to store, recording a problem on field with the
// caller's validator when it is not valid, and set stores it in the record.
func Set[T, In, V any](p *Patch[T], field string, sent *In, check func(field string, in In) V, set func(*T, V)) {
	if sent == nil {
		return
	}
	v := check(field, *sent)
	*p = append(*p, func(rec *T) { set(rec, v) })
}

// Keep is the check of a field whose every value is valid (a flag): the value sent is
// the one to store.
func Keep[In any](_ string, in In) In { return in }
