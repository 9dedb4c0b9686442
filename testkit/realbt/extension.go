package realbt

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackpal/bencode-go"
)

// The extension protocol (BEP 10) and the metadata exchange (BEP 9) as far
// as a test needs them to ask a real seeder what it speaks: written here
// with bencode-go, independently of the workbook's stages, so a stage's
// real-program test can compare its output with what the program says.

const (
	extensionTimeout = 10 * time.Second
	// ourMetadataID is the ut_metadata id these helpers advertise: data
	// messages come back with it.
	ourMetadataID = 1
	// maxExtMessage caps a message read here: a metadata piece (16 KiB)
	// and its header, or a real client's bitfield.
	maxExtMessage = 1 << 20
)

// Extensions is what a peer said about the extension protocol (BEP 10).
type Extensions struct {
	Reserved     [8]byte          // the reserved bytes of its handshake
	M            map[string]int64 // its m: extension name to the id it receives that extension on
	MetadataSize int64            // its metadata_size; 0 when absent
	V            string           // its v: client name and version
}

// UTMetadata is the peer's ut_metadata id (0 when it has none): the id a
// client sends its metadata requests with.
func (e Extensions) UTMetadata() int64 { return e.M["ut_metadata"] }

// PeerExtensions connects to addr (a seeder on 127.0.0.1), handshakes for
// infoHash with only the extension bit set, sends an extension handshake
// (m: ut_metadata 1) and returns the peer's extension handshake: e.g. which
// ut_metadata id aria2 or qBittorrent uses, for a test to compare with what
// a stage prints.
func PeerExtensions(addr string, infoHash [20]byte) (Extensions, error) {
	c, err := dialExtensions(addr, infoHash)
	if err != nil {
		return Extensions{}, err
	}
	defer c.conn.Close()
	return c.ext, nil
}

// PeerMetadata fetches the whole metadata (the info dictionary) from addr
// over BEP 9, every 16 KiB piece requested at once, and checks its SHA-1
// against infoHash.
func PeerMetadata(addr string, infoHash [20]byte) ([]byte, error) {
	c, err := dialExtensions(addr, infoHash)
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	return c.metadata(infoHash)
}

// extConn is a connection to a peer after both handshakes.
type extConn struct {
	conn net.Conn
	r    *bufio.Reader
	ext  Extensions
}

func dialExtensions(addr string, infoHash [20]byte) (*extConn, error) {
	conn, err := net.DialTimeout("tcp", addr, extensionTimeout)
	if err != nil {
		return nil, err
	}
	c := &extConn{conn: conn, r: bufio.NewReader(conn)}
	if err := c.handshakes(infoHash); err != nil {
		conn.Close()
		return nil, fmt.Errorf("extension handshake with %s: %w", addr, err)
	}
	return c, nil
}

// handshakes does the BitTorrent handshake with the extension bit, then
// the extension handshakes both ways.
func (c *extConn) handshakes(infoHash [20]byte) error {
	if err := c.conn.SetDeadline(time.Now().Add(extensionTimeout)); err != nil {
		return err
	}
	// A fresh peer id each time: libtorrent drops a connection whose peer
	// id is still connected (the previous one may not be closed yet).
	peerID := []byte("-RB0001-")
	peerID = append(peerID, rand.Text()[:12]...)
	hs := append([]byte("\x13BitTorrent protocol"), 0, 0, 0, 0, 0, 0x10, 0, 0)
	hs = append(append(hs, infoHash[:]...), peerID...)
	if _, err := c.conn.Write(hs); err != nil {
		return err
	}
	reply := make([]byte, 68)
	if _, err := io.ReadFull(c.r, reply); err != nil {
		return fmt.Errorf("read handshake: %w", err)
	}
	copy(c.ext.Reserved[:], reply[20:28])
	if c.ext.Reserved[5]&0x10 == 0 {
		return fmt.Errorf("reserved bytes %x: no extension bit", c.ext.Reserved)
	}
	if err := c.sendExt(0, map[string]any{"m": map[string]any{"ut_metadata": int64(ourMetadataID)}}); err != nil {
		return err
	}
	d, _, err := c.readExt(0)
	if err != nil {
		return err
	}
	if m, ok := d["m"].(map[string]any); ok {
		c.ext.M = map[string]int64{}
		for name, id := range m {
			if n, ok := id.(int64); ok {
				c.ext.M[name] = n
			}
		}
	}
	c.ext.MetadataSize, _ = d["metadata_size"].(int64)
	c.ext.V, _ = d["v"].(string)
	return nil
}

// metadata requests every piece and assembles them by index.
func (c *extConn) metadata(infoHash [20]byte) ([]byte, error) {
	id, size := c.ext.UTMetadata(), c.ext.MetadataSize
	if id <= 0 || id > 255 || size <= 0 || size > 16<<20 {
		return nil, fmt.Errorf("peer advertises ut_metadata %d, metadata_size %d", id, size)
	}
	const piece = 16 << 10
	n := int((size + piece - 1) / piece)
	for i := range n {
		if err := c.sendExt(byte(id), map[string]any{"msg_type": int64(0), "piece": int64(i)}); err != nil {
			return nil, err
		}
	}
	info := make([]byte, size)
	for range n {
		d, data, err := c.readExt(ourMetadataID)
		if err != nil {
			return nil, err
		}
		i, _ := d["piece"].(int64)
		if t, _ := d["msg_type"].(int64); t != 1 || i < 0 || i >= int64(n) || len(data) != int(min(piece, size-i*piece)) {
			return nil, fmt.Errorf("metadata message %v with %d bytes, want data for a piece of %d", d, len(data), n)
		}
		copy(info[i*piece:], data)
	}
	if sha1.Sum(info) != infoHash {
		return nil, errors.New("metadata does not hash to the info hash")
	}
	return info, nil
}

// sendExt sends extended message id with the bencoded dictionary d.
func (c *extConn) sendExt(id byte, d map[string]any) error {
	var b bytes.Buffer
	if err := bencode.Marshal(&b, d); err != nil {
		return err
	}
	msg := binary.BigEndian.AppendUint32(nil, uint32(2+b.Len()))
	msg = append(append(msg, 20, id), b.Bytes()...)
	_, err := c.conn.Write(msg)
	return err
}

// readExt skips messages until an extended one with extended id id, and
// returns its dictionary and the bytes after it.
func (c *extConn) readExt(id byte) (map[string]any, []byte, error) {
	for {
		var prefix [4]byte
		if _, err := io.ReadFull(c.r, prefix[:]); err != nil {
			return nil, nil, err
		}
		n := binary.BigEndian.Uint32(prefix[:])
		if n > maxExtMessage {
			return nil, nil, fmt.Errorf("message of %d bytes", n)
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(c.r, msg); err != nil {
			return nil, nil, err
		}
		if n < 2 || msg[0] != 20 || msg[1] != id {
			continue // keep-alive, bitfield, have, other extensions
		}
		br := bytes.NewReader(msg[2:])
		r := bufio.NewReader(br)
		v, err := bencode.Decode(r)
		if err != nil {
			return nil, nil, fmt.Errorf("extended message %d: %w", id, err)
		}
		d, ok := v.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("extended message %d is not a dictionary", id)
		}
		return d, msg[2+len(msg[2:])-br.Len()-r.Buffered():], nil
	}
}
