// Package peer is this client as other peers see it: its peer id.
package peer
