package httpapi

// List converts each of xs with to, for a list in an answer: the result is never nil,
// so that an empty list is written as [] and not null, which clients would have to
// tell apart.
func List[T, U any](xs []T, to func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = to(x)
	}
	return out
}
