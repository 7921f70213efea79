package conformance

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// ConnCounter counts the TCP connections a transport opens and how many
// are open at once. It is safe for concurrent use.
type ConnCounter struct {
	open, peak, total atomic.Int64
}

// Wrap returns a clone of t whose connections are counted. TLS
// connections are counted too: http.Transport dials them with DialContext
// before its handshake.
func (c *ConnCounter) Wrap(t *http.Transport) *http.Transport {
	t = t.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.total.Add(1)
		n := c.open.Add(1)
		for {
			p := c.peak.Load()
			if n <= p || c.peak.CompareAndSwap(p, n) {
				break
			}
		}
		return &countedConn{Conn: conn, c: c}, nil
	}
	return t
}

// Open is the number of connections open now.
func (c *ConnCounter) Open() int64 { return c.open.Load() }

// Peak is the largest number of connections open at once.
func (c *ConnCounter) Peak() int64 { return c.peak.Load() }

// Total is the number of connections opened.
func (c *ConnCounter) Total() int64 { return c.total.Load() }

type countedConn struct {
	net.Conn
	c    *ConnCounter
	once sync.Once
}

func (cc *countedConn) Close() error {
	cc.once.Do(func() { cc.c.open.Add(-1) })
	return cc.Conn.Close()
}
