// Command tlogverify checks a certgov transparency log with an independent implementation:
// golang.org/x/mod/sumdb/tlog (RFC 6962 hashing, tiles, proofs) and
// golang.org/x/mod/sumdb/note (signed notes, Ed25519 verifier keys).
//
// Usage:
//
//	tlogverify BASE_URL LOG VKEY
//
// It fetches BASE_URL/logs/LOG/checkpoint (a C2SP signed note) and verifies it with VKEY;
// reads the log's C2SP tiles (tile/L/N[.p/W], height 8) and entry bundles through a
// tlog.TileReader; checks that the tree hash computed from the tiles is the checkpoint's
// root; proves and checks the inclusion of a few entries (hashed from the entry bundles);
// checks the log's own JSON inclusion and consistency proofs
// (BASE_URL/api/v1/logs/LOG/proof/...) against hashes computed here from the tiles; and
// finally checks every tile it read against its parent tile, up to the signed root.
//
// On success it prints "ok <origin> <size>" and exits 0; on any failure it prints the
// failure to stderr and exits 1. Build it in GOPATH mode against Debian's
// golang-golang-x-mod-dev (see tests/functional/test_logs_interop.py).
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is C2SP tlog-tiles' fixed tile height: 2**8 = 256 hashes per full tile.
const tileHeight = 8

type client struct {
	base     string // BASE_URL without a trailing slash
	log      string
	http     *http.Client
	requests int
}

func (c *client) get(path string) ([]byte, error) {
	u := c.base + path
	c.requests++
	resp, err := c.http.Get(u)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %v", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.200s", u, resp.Status, body)
	}
	return body, nil
}

func (c *client) getJSON(path string, v interface{}) error {
	body, err := c.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: bad JSON: %v", path, err)
	}
	return nil
}

// c2spPath maps a Go tile (path tile/H/L/NNN[.p/W], or tile/H/data/NNN[.p/W] for records)
// to its C2SP tlog-tiles path (tile/L/NNN[.p/W], or tile/entries/NNN[.p/W]): the same
// 3-digit x-prefixed index encoding and the same partial suffix, without the height element.
func c2spPath(t tlog.Tile) (string, error) {
	if t.H != tileHeight {
		return "", fmt.Errorf("tile %v: height %d, the log serves height %d", t.Path(), t.H, tileHeight)
	}
	prefix := fmt.Sprintf("tile/%d/", tileHeight)
	goPath := t.Path()
	if !strings.HasPrefix(goPath, prefix) {
		return "", fmt.Errorf("unexpected Go tile path %q", goPath)
	}
	rest := strings.TrimPrefix(goPath, prefix)
	if t.L == -1 {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tile/" + rest, nil
}

// tileReader is a tlog.TileReader over the log's C2SP tile URLs. It keeps what it fetched
// (tlog.TileHashReader authenticates tile data on every use, so caching is safe).
type tileReader struct {
	c     *client
	cache map[tlog.Tile][]byte
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		if body, ok := r.cache[t]; ok {
			data[i] = body
			continue
		}
		p, err := c2spPath(t)
		if err != nil {
			return nil, err
		}
		body, err := r.c.get("/logs/" + r.c.log + "/" + p)
		if err != nil {
			return nil, err
		}
		if len(body) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s: %d bytes, expected %d", p, len(body), t.W*tlog.HashSize)
		}
		r.cache[t] = body
		data[i] = body
	}
	return data, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// rawHashReader reads stored hashes straight from the tiles of a tree of `size` leaves,
// without authenticating them (tlog.TileHashReader does that against a tree hash): used to
// compute the tree hash from the tiles alone, to compare with the checkpoint's root.
type rawHashReader struct {
	r    *tileReader
	size int64
}

func (h *rawHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		t := tlog.TileForIndex(tileHeight, x)
		t = widest(t.L, t.N, h.size)
		data, err := h.r.ReadTiles([]tlog.Tile{t})
		if err != nil {
			return nil, err
		}
		hash, err := tlog.HashFromTile(t, data[0], x)
		if err != nil {
			return nil, err
		}
		out[i] = hash
	}
	return out, nil
}

// widest returns tile N of level L as a tree of `size` leaves has it: full, or partial on the
// right edge (the only tiles the log serves for that size).
func widest(level int, n int64, size int64) tlog.Tile {
	t := tlog.Tile{H: tileHeight, L: level, N: n, W: 1 << tileHeight}
	if max := size >> uint(level*tileHeight); n<<tileHeight+int64(t.W) > max {
		t.W = int(max - n<<tileHeight)
	}
	return t
}

// subtreeHash is the Merkle hash of the 2**k hashes of a tile's data.
func subtreeHash(data []byte) tlog.Hash {
	if len(data) == tlog.HashSize {
		var h tlog.Hash
		copy(h[:], data)
		return h
	}
	return tlog.NodeHash(subtreeHash(data[:len(data)/2]), subtreeHash(data[len(data)/2:]))
}

// authenticateTiles checks every full tile read so far against the hash its parent tile
// holds for it, up to the right-edge partial tiles, which the tree hash computed from them
// (compared with the signed root) authenticates. It does not rely on tlog.TileHashReader's
// own check: in x/mod 0.7.0 that check skips some tiles when the tree's right-edge subtrees
// share tiles (its loop starts at len(stx), the number of subtrees, not of their tiles).
func authenticateTiles(tr *tileReader, size int64) error {
	done := map[tlog.Tile]bool{}
	for {
		var todo []tlog.Tile
		for t := range tr.cache {
			if !done[t] && t.W == 1<<tileHeight {
				todo = append(todo, t)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		sort.Slice(todo, func(i, j int) bool {
			return todo[i].L > todo[j].L || todo[i].L == todo[j].L && todo[i].N < todo[j].N
		})
		for _, t := range todo {
			done[t] = true
			p := widest(t.L+1, t.N>>tileHeight, size)
			data, err := tr.ReadTiles([]tlog.Tile{p})
			if err != nil {
				return err
			}
			want, err := tlog.HashFromTile(p, data[0], tlog.StoredHashIndex(p.L*tileHeight, t.N))
			if err != nil {
				return fmt.Errorf("hash of tile %v in its parent %v: %v", t.Path(), p.Path(), err)
			}
			if got := subtreeHash(tr.cache[t]); got != want {
				tp, _ := c2spPath(t)
				pp, _ := c2spPath(p)
				return fmt.Errorf("tile %s hashes to %v; its parent %s has %v", tp, got, pp, want)
			}
		}
	}
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint verifies a C2SP signed checkpoint with vkey and parses its text. The
// checkpoint must be signed by a key named like its origin (C2SP tlog-checkpoint).
func openCheckpoint(msg []byte, vkey string) (checkpoint, error) {
	var cp checkpoint
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return cp, fmt.Errorf("verifier key %q: %v", vkey, err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return cp, fmt.Errorf("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	// origin, size, root, optional extension lines, and "" after the final newline.
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return cp, fmt.Errorf("checkpoint text %q: expected origin, size and root lines", n.Text)
	}
	cp.origin = lines[0]
	if cp.origin == "" {
		return cp, fmt.Errorf("checkpoint has an empty origin")
	}
	cp.size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || cp.size < 0 || strconv.FormatInt(cp.size, 10) != lines[1] {
		return cp, fmt.Errorf("checkpoint size %q is not a canonical decimal number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return cp, fmt.Errorf("checkpoint root %q is not a base64 32-byte hash", lines[2])
	}
	copy(cp.root[:], root)
	for i, ext := range lines[3 : len(lines)-1] {
		if ext == "" {
			return cp, fmt.Errorf("checkpoint extension line %d is empty", i+1)
		}
	}
	signedByOrigin := false
	for _, sig := range n.Sigs {
		if sig.Name == cp.origin {
			signedByOrigin = true
		}
	}
	if !signedByOrigin {
		return cp, fmt.Errorf("checkpoint of %q is not signed by a key named %q (signed by %v)",
			cp.origin, cp.origin, n.Sigs)
	}
	return cp, nil
}

func decodeHash(what, s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("%s %q is not a base64 32-byte hash", what, s)
	}
	copy(h[:], b)
	return h, nil
}

func decodeHashes(what string, list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := decodeHash(fmt.Sprintf("%s[%d]", what, i), s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func sameHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// decodeBundle splits a C2SP entry bundle: each entry is a big-endian uint16 length and
// that many bytes.
func decodeBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, fmt.Errorf("entry bundle: truncated length after %d entries", len(entries))
		}
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		if len(data) < n {
			return nil, fmt.Errorf("entry bundle: entry %d is truncated", len(entries))
		}
		entries = append(entries, data[:n])
		data = data[n:]
	}
	return entries, nil
}

type verifier struct {
	c       *client
	tr      *tileReader
	cp      checkpoint
	thr     tlog.HashReader // authenticated against the checkpoint's tree
	bundles map[int64][][]byte
}

// entry returns entry i of the log from its (full or partial) entry bundle, after checking
// that every entry of the bundle hashes to the corresponding level-0 hash of the tree.
func (v *verifier) entry(i int64) ([]byte, error) {
	n := i >> tileHeight
	entries, ok := v.bundles[n]
	if !ok {
		w := v.cp.size - n<<tileHeight
		if w > 1<<tileHeight {
			w = 1 << tileHeight
		}
		t := tlog.Tile{H: tileHeight, L: -1, N: n, W: int(w)}
		p, err := c2spPath(t)
		if err != nil {
			return nil, err
		}
		body, err := v.c.get("/logs/" + v.c.log + "/" + p)
		if err != nil {
			return nil, err
		}
		entries, err = decodeBundle(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if int64(len(entries)) != w {
			return nil, fmt.Errorf("%s: %d entries, expected %d", p, len(entries), w)
		}
		indexes := make([]int64, w)
		for k := range indexes {
			indexes[k] = tlog.StoredHashIndex(0, n<<tileHeight+int64(k))
		}
		leaves, err := v.thr.ReadHashes(indexes)
		if err != nil {
			return nil, fmt.Errorf("level-0 hashes of %s: %v", p, err)
		}
		for k, e := range entries {
			if tlog.RecordHash(e) != leaves[k] {
				return nil, fmt.Errorf("%s: entry %d hashes to %v, the tree has %v",
					p, n<<tileHeight+int64(k), tlog.RecordHash(e), leaves[k])
			}
		}
		v.bundles[n] = entries
	}
	return entries[i-n<<tileHeight], nil
}

// checkInclusion proves entry i with Go's tlog from the tiles, then checks the log's own
// JSON inclusion proof for it.
func (v *verifier) checkInclusion(i int64) error {
	data, err := v.entry(i)
	if err != nil {
		return err
	}
	leaf := tlog.RecordHash(data)
	proof, err := tlog.ProveRecord(v.cp.size, i, v.thr)
	if err != nil {
		return fmt.Errorf("tlog.ProveRecord(%d, %d): %v", v.cp.size, i, err)
	}
	if err := tlog.CheckRecord(proof, v.cp.size, v.cp.root, i, leaf); err != nil {
		return fmt.Errorf("tlog.CheckRecord of entry %d (proof from tiles): %v", i, err)
	}

	var got struct {
		Index    int64    `json:"index"`
		Size     int64    `json:"size"`
		LeafHash string   `json:"leaf_hash"`
		Hashes   []string `json:"hashes"`
		RootHash string   `json:"root_hash"`
	}
	q := url.Values{"index": {strconv.FormatInt(i, 10)}, "size": {strconv.FormatInt(v.cp.size, 10)}}
	if err := v.c.getJSON("/api/v1/logs/"+v.c.log+"/proof/inclusion?"+q.Encode(), &got); err != nil {
		return err
	}
	if got.Index != i || got.Size != v.cp.size {
		return fmt.Errorf("inclusion proof API answered index %d size %d for index %d size %d",
			got.Index, got.Size, i, v.cp.size)
	}
	hashes, err := decodeHashes("inclusion proof hashes", got.Hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(tlog.RecordProof(hashes), v.cp.size, v.cp.root, i, leaf); err != nil {
		return fmt.Errorf("tlog.CheckRecord of the API's inclusion proof of entry %d: %v", i, err)
	}
	if !sameHashes(hashes, proof) {
		return fmt.Errorf("API inclusion proof of entry %d differs from tlog.ProveRecord's", i)
	}
	if apiLeaf, err := decodeHash("leaf_hash", got.LeafHash); err != nil || apiLeaf != leaf {
		return fmt.Errorf("API leaf_hash of entry %d is %s, the entry hashes to %v (%v)", i, got.LeafHash, leaf, err)
	}
	if apiRoot, err := decodeHash("root_hash", got.RootHash); err != nil || apiRoot != v.cp.root {
		return fmt.Errorf("API root_hash %s is not the checkpoint's root %v (%v)", got.RootHash, v.cp.root, err)
	}
	return nil
}

// checkConsistency computes the tree hash of the first `old` entries from the tiles and
// checks the log's JSON consistency proof from `old` to the checkpoint's size with it.
func (v *verifier) checkConsistency(old int64) error {
	oldHash, err := tlog.TreeHash(old, v.thr)
	if err != nil {
		return fmt.Errorf("tlog.TreeHash(%d) from tiles: %v", old, err)
	}
	var got struct {
		First          int64    `json:"first"`
		Second         int64    `json:"second"`
		Hashes         []string `json:"hashes"`
		FirstRootHash  string   `json:"first_root_hash"`
		SecondRootHash string   `json:"second_root_hash"`
	}
	q := url.Values{"first": {strconv.FormatInt(old, 10)}, "second": {strconv.FormatInt(v.cp.size, 10)}}
	if err := v.c.getJSON("/api/v1/logs/"+v.c.log+"/proof/consistency?"+q.Encode(), &got); err != nil {
		return err
	}
	if got.First != old || got.Second != v.cp.size {
		return fmt.Errorf("consistency proof API answered %d..%d for %d..%d", got.First, got.Second, old, v.cp.size)
	}
	hashes, err := decodeHashes("consistency proof hashes", got.Hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(tlog.TreeProof(hashes), v.cp.size, v.cp.root, old, oldHash); err != nil {
		return fmt.Errorf("tlog.CheckTree of the API's consistency proof %d -> %d: %v", old, v.cp.size, err)
	}
	proof, err := tlog.ProveTree(v.cp.size, old, v.thr)
	if err != nil {
		return fmt.Errorf("tlog.ProveTree(%d, %d): %v", v.cp.size, old, err)
	}
	if !sameHashes(hashes, proof) {
		return fmt.Errorf("API consistency proof %d -> %d differs from tlog.ProveTree's", old, v.cp.size)
	}
	if apiOld, err := decodeHash("first_root_hash", got.FirstRootHash); err != nil || apiOld != oldHash {
		return fmt.Errorf("API first_root_hash %s for size %d; the tiles give %v (%v)", got.FirstRootHash, old, oldHash, err)
	}
	if apiNew, err := decodeHash("second_root_hash", got.SecondRootHash); err != nil || apiNew != v.cp.root {
		return fmt.Errorf("API second_root_hash %s is not the checkpoint's root %v (%v)", got.SecondRootHash, v.cp.root, err)
	}
	return nil
}

// pick returns the distinct values of xs within [lo, hi], sorted.
func pick(lo, hi int64, xs ...int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, x := range xs {
		if x >= lo && x <= hi && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func run(base, log, vkey string) (checkpoint, error) {
	c := &client{base: strings.TrimRight(base, "/"), log: log, http: &http.Client{Timeout: 30 * time.Second}}
	msg, err := c.get("/logs/" + log + "/checkpoint")
	if err != nil {
		return checkpoint{}, err
	}
	cp, err := openCheckpoint(msg, vkey)
	if err != nil {
		return cp, err
	}
	if cp.size == 0 {
		if cp.root != tlog.Hash(sha256.Sum256(nil)) {
			return cp, fmt.Errorf("empty log's root is %v, expected SHA-256 of nothing", cp.root)
		}
		return cp, nil
	}
	tr := &tileReader{c: c, cache: map[tlog.Tile][]byte{}}

	// The tree hash from the tiles alone (unauthenticated reads) must be the signed root.
	raw := &rawHashReader{r: tr, size: cp.size}
	fromTiles, err := tlog.TreeHash(cp.size, raw)
	if err != nil {
		return cp, fmt.Errorf("tlog.TreeHash(%d) from tiles: %v", cp.size, err)
	}
	if fromTiles != cp.root {
		return cp, fmt.Errorf("tree hash from tiles %v != checkpoint root %v", fromTiles, cp.root)
	}

	tree := tlog.Tree{N: cp.size, Hash: cp.root}
	v := &verifier{c: c, tr: tr, cp: cp, thr: tlog.TileHashReader(tree, tr), bundles: map[int64][][]byte{}}
	authenticated, err := tlog.TreeHash(cp.size, v.thr)
	if err != nil {
		return cp, fmt.Errorf("tlog.TreeHash(%d) through tlog.TileHashReader: %v", cp.size, err)
	}
	if authenticated != cp.root {
		return cp, fmt.Errorf("tree hash through tlog.TileHashReader %v != checkpoint root %v", authenticated, cp.root)
	}

	n := cp.size
	for _, i := range pick(0, n-1, 0, 1, 255, 256, n/2, n-257, n-256, n-2, n-1) {
		if err := v.checkInclusion(i); err != nil {
			return cp, err
		}
	}
	for _, old := range pick(1, n, 1, 256, 257, n/2, 1<<16, n-1, n) {
		if err := v.checkConsistency(old); err != nil {
			return cp, err
		}
	}
	if err := authenticateTiles(tr, cp.size); err != nil {
		return cp, err
	}
	fmt.Fprintf(os.Stderr, "tlogverify: %s size %d: %d HTTP requests, %d tiles read\n",
		cp.origin, cp.size, c.requests, len(tr.cache))
	return cp, nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: tlogverify BASE_URL LOG VKEY")
		os.Exit(2)
	}
	cp, err := run(os.Args[1], os.Args[2], os.Args[3])
	if err != nil {
		fmt.Fprintf(os.Stderr, "tlogverify: FAIL: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("ok %s %d\n", cp.origin, cp.size)
}
