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
// written IPv4-mapped, or translated: v4Of) is itself; an IPv6 address
// counts as its /64 network, the block a single subscriber is given,
// within which a client picks any address it likes. Anything else (a Unix
// socket's peer) is left as it is.
func clientKey(host string) string {
	ip := parseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// nat64 is the well-known prefix of IPv4 addresses translated into IPv6
// (RFC 6052): behind a translator in front of an IPv6-only server every
// IPv4 client comes from 64:ff9b::/96, and counted as IPv6 they would all
// be one /64, sharing one client's allowance.
var nat64 = net.IPNet{IP: net.ParseIP("64:ff9b::"), Mask: net.CIDRMask(96, 128)}

// parseIP is net.ParseIP with an address of nat64 read as the IPv4
// address it carries.
func parseIP(host string) net.IP {
	ip := net.ParseIP(host)
	if ip != nil && ip.To4() == nil && nat64.Contains(ip) {
		return net.IPv4(ip[12], ip[13], ip[14], ip[15])
	}
	return ip
}

// clientNet is the network around a client's address that one holder
// may fill, whose live projects, stored bytes and open connections are
// bounded together beyond each client's (netShare): an IPv6 /48, the
// block a site (or a free tunnel) is given, with 65,536 /64s in it; an
// IPv4 /24 (also written IPv4-mapped or translated), 256 addresses of one provider, a
// hosting range whose addresses a renter takes by the dozen or a
// carrier's NAT pool whose addresses are other people. "" for anything
// else (a Unix socket's peer).
func clientNet(host string) string {
	ip := parseIP(host)
	switch {
	case ip == nil:
		return ""
	case ip.To4() != nil:
		return (&net.IPNet{IP: ip.To4().Mask(net.CIDRMask(24, 32)), Mask: net.CIDRMask(24, 32)}).String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

// netShare is how many clients' worth a network of clientNet holds: an
// IPv6 /48 is given to one holder whole (net6Share); an IPv4 /24 is
// shared with neighbours, yet its addresses are had by the dozen
// (net4Share, the smaller: the neighbours of a carrier's /24 each hold
// a client's worth of their own, and the /24 may hold four).
func netShare(nw string) int {
	if strings.Contains(nw, ":") {
		return net6Share
	}
	return net4Share
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
