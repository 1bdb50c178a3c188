package server

import (
	"context"
	"net"
	"net/http"
	"strings"
)

// The client a request is counted as, by every per-client bound (requests
// in flight, projects created, computes, active jobs, open connections):
// its address, as clientKey groups it.

// client is who r counts as for the per-client bounds.
func (s *Server) client(r *http.Request) string { return clientKey(s.clientAddr(r)) }

// clientKeyKey keys a request's client (Server.client) in its context.
type clientKeyKey struct{}

// clientOf is the client of the request ctx belongs to ("" outside one).
func clientOf(ctx context.Context) string {
	c, _ := ctx.Value(clientKeyKey{}).(string)
	return c
}

// clientAddr is the address r comes from (what the log shows): the
// peer's or, behind a trusted proxy (Config.TrustForwardedFor), the last
// X-Forwarded-For hop. The last hop is the one the proxy itself added;
// earlier hops are whatever the client sent, so a client could name
// itself anything there.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustForwardedFor {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			last := f[len(f)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	return hostOf(r.RemoteAddr)
}

// clientKey groups addresses by who holds them: an IPv4 address (also
// written IPv4-mapped) is itself; an IPv6 address counts as its /64
// network, the block a single subscriber is given, within which a client
// picks any address it likes. Anything else (a Unix socket's peer) is
// left as it is.
func clientKey(host string) string {
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// clientNet is the network around a client key that one holder may own
// whole: an IPv6 /48, the block a site (or a free tunnel) is given, with
// 65,536 /64s in it; "" for IPv4, whose neighbours are other customers.
func clientNet(host string) string {
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return ""
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
