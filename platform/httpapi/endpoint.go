package httpapi

import (
	"context"

	"github.com/go-kit/kit/endpoint"
)

// Middleware decorates a service's endpoints, each under its method's name (go-kit's
// shape: observe's instrumenting and logging). A nil Middleware decorates nothing.
type Middleware func(method string) endpoint.Middleware

// Wrap returns ep decorated for method.
func (mw Middleware) Wrap(method string, ep endpoint.Endpoint) endpoint.Endpoint {
	if mw == nil {
		return ep
	}
	return mw(method)(ep)
}

// Endpoint is the endpoint of one service call: call gets the decoded request (a Req),
// and a result without an error is answered as conv makes it.
func Endpoint[Req, Out, Resp any](call func(context.Context, Req) (Out, error), conv func(Out) Resp) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		out, err := call(ctx, req.(Req))
		if err != nil {
			return nil, err
		}
		return conv(out), nil
	}
}
