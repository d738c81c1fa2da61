package tenancy

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// The export bundle of a tenant: a tar.gz the gemeente gets back when it leaves, with
//
//	tables/<table>.jsonl       every row of the tenant in every tenant table, one JSON
//	                           object per line, in primary-key order
//	files/<table>/<key>[.ext]  stored documents as they were: the settlement files
//	                           (SEPA, specifications, reconciliation) and payslip PDFs
//	manifest.json              the tenant, when, which Plein, and per file its rows,
//	                           bytes and sha256
//	SHA256SUMS                 sha256sum -c checks every file, manifest.json included
//
// The tables are found in the catalogue (every base table of schema public with a
// tenant_id column), as the purge finds them, so a table added later is exported
// without anyone remembering to. Each is read as plein_app in one read-only snapshot
// with the tenant set, so row-level security keeps every other tenant's rows out; the
// registry tables, which plein_app may read for every tenant, are filtered by tenant
// as well. Rows are streamed: a table is spooled to a temporary file (mode 0600,
// removed at once), never held in memory.

// BundleFormat names the layout above.
const BundleFormat = "plein-tenant-export/1"

// Manifest describes an export bundle.
type Manifest struct {
	Format       string         `json:"format"`
	Tenant       tenant.ID      `json:"tenant"`
	CreatedAt    time.Time      `json:"created_at"`
	PleinVersion string         `json:"plein_version,omitempty"`
	DryRun       bool           `json:"dry_run"`
	BSNInClear   bool           `json:"bsn_in_clear"`
	Notes        []string       `json:"notes"`
	Files        []ManifestFile `json:"files"`
}

// ManifestFile is one file of a bundle.
type ManifestFile struct {
	Name   string `json:"name"`
	Table  string `json:"table,omitempty"`
	Rows   *int64 `json:"rows,omitempty"` // a table file's rows (lines)
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Omitted lists the columns left out, each with why.
	Omitted []string `json:"omitted_columns,omitempty"`
}

// Sealer opens the sealed BSNs (a *bsn.Sealer).
type Sealer interface {
	Open(ct, aad []byte) (bsn.BSN, error)
}

// ExportOptions configure Export.
type ExportOptions struct {
	// Sealer opens the residents' BSNs, which the bundle then holds in clear (the
	// gemeente owns them and cannot use our ciphertext). Nil keeps them sealed.
	Sealer Sealer
	// Actor is recorded in the tenant's audit log as having exported its data.
	Actor string
	// DryRun is recorded in the manifest and the audit entry.
	DryRun bool
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// TempDir holds the spooled tables; "" is the system's.
	TempDir string
}

// blobs are the bytea columns exported as files of their own, with an extension.
var blobs = map[string]string{
	"settlement_files.content": "",
	"payslips.pdf":             ".pdf",
}

// Export writes the bundle of tenant id to w (a tar.gz) and returns its manifest. It
// reads through app (plein_app). The export is recorded in the tenant's audit log
// first, so the bundle holds its own record.
func Export(ctx context.Context, app *pgxpool.Pool, id tenant.ID, w io.Writer, opts ExportOptions) (Manifest, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if strings.TrimSpace(opts.Actor) == "" {
		return Manifest{}, errors.New("tenancy: export needs an actor")
	}
	ctx = tenant.WithID(ctx, id)
	purpose := "offboarding: de gemeente krijgt al haar gegevens terug"
	if opts.DryRun {
		purpose = "offboarding (proef): export ter controle"
	}
	err := db.InTenant(ctx, app, func(ctx context.Context, tx pgx.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Actor: opts.Actor, Role: "coop-operator", Action: "tenant.exported",
			ObjectType: "tenant", ObjectID: string(id), Purpose: purpose})
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("tenancy: export %s: %w", id, err)
	}

	m := Manifest{Format: BundleFormat, Tenant: id, CreatedAt: opts.Now().UTC().Truncate(time.Second),
		PleinVersion: buildVersion(), DryRun: opts.DryRun, BSNInClear: opts.Sealer != nil}
	m.Notes = []string{
		"tables/*.jsonl: one JSON object per row, in primary-key order; timestamps in UTC; bytea columns as hex unless exported as a file (files/) or named in omitted_columns.",
		"journal_entries: the ledger's lines are each entry's accounts[i] and amounts[i] (cents, debit > 0, credit < 0); ledger_movements are the balances derived from them.",
	}
	if m.BSNInClear {
		m.Notes = append(m.Notes, "residents: bsn and partner_bsn are in clear (decrypted for the gemeente, who owns them): keep this bundle as confidential as the BRP.")
	} else {
		m.Notes = append(m.Notes, "residents: bsn_sealed and partner_bsn_sealed are encrypted (AES-256-GCM, the tenant id as associated data), as hex.")
	}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	bw := &bundleWriter{tw: tw, at: m.CreatedAt}
	snapshot := snapshotBeginner{app}
	err = db.InTenant(ctx, snapshot, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL TimeZone = 'UTC'"); err != nil {
			return err
		}
		tables, err := exportTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if err := writeTable(ctx, tx, id, t, bw, opts); err != nil {
				return fmt.Errorf("table %s: %w", t.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("tenancy: export %s: %w", id, err)
	}
	m.Files = bw.files
	var mb bytes.Buffer
	enc := json.NewEncoder(&mb)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return Manifest{}, err
	}
	mj := mb.Bytes()
	if err := bw.add("manifest.json", mj); err != nil {
		return Manifest{}, err
	}
	var sums strings.Builder
	for _, f := range bw.files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Name)
	}
	sum := sha256.Sum256(mj)
	fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), "manifest.json")
	if err := tw.WriteHeader(bw.header("SHA256SUMS", int64(sums.Len()))); err != nil {
		return Manifest{}, err
	}
	if _, err := io.WriteString(tw, sums.String()); err != nil {
		return Manifest{}, err
	}
	if err := tw.Close(); err != nil {
		return Manifest{}, err
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// snapshotBeginner begins the export's one read-only, repeatable-read transaction:
// every table is read as of the same moment.
type snapshotBeginner struct{ p *pgxpool.Pool }

func (s snapshotBeginner) Begin(ctx context.Context) (pgx.Tx, error) {
	return s.p.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
}

func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
	}
	return strings.TrimSpace(v)
}

// exportTable is one table of the catalogue.
type exportTable struct {
	name  string
	cols  []string
	types []string
	pk    []string
	read  bool // plein_app may SELECT it
}

// exportTables lists every base table of schema public with a tenant_id column, from
// pg_catalog (information_schema would hide a table plein_app may not read, which is
// exactly the table that must not be skipped in silence).
func exportTables(ctx context.Context, tx pgx.Tx) ([]exportTable, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.relname,
		       array_agg(a.attname::text ORDER BY a.attnum),
		       array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum),
		       coalesce((SELECT array_agg(k.attname::text ORDER BY array_position(i.indkey::int2[], k.attnum))
		                 FROM pg_index i JOIN pg_attribute k ON k.attrelid = i.indrelid AND k.attnum = ANY (i.indkey::int2[])
		                 WHERE i.indrelid = c.oid AND i.indisprimary), '{}'),
		       has_table_privilege(c.oid, 'SELECT')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		  AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
		GROUP BY c.oid, c.relname
		ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (exportTable, error) {
		var t exportTable
		err := r.Scan(&t.name, &t.cols, &t.types, &t.pk, &t.read)
		return t, err
	})
	if err != nil {
		return nil, err
	}
	var unreadable []string
	for _, t := range tables {
		if !t.read {
			unreadable = append(unreadable, t.name)
		}
	}
	if len(unreadable) > 0 {
		return nil, fmt.Errorf("plein_app may not read %s: the export would be incomplete", strings.Join(unreadable, ", "))
	}
	return tables, nil
}

// column kinds of an exported table.
const (
	colJSON    = iota // in the row's JSON as PostgreSQL renders it
	colBSN            // a sealed BSN: opened, or hex when there is no sealer
	colOmitted        // left out
	colBlob           // a file of its own
	colHex            // other bytea, as hex
)

func writeTable(ctx context.Context, tx pgx.Tx, id tenant.ID, t exportTable, bw *bundleWriter, opts ExportOptions) error {
	p := planTable(t)
	spool, err := os.CreateTemp(opts.TempDir, "plein-export-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(spool, h)}
	out := bufio.NewWriterSize(cw, 256<<10)

	rows, err := tx.Query(ctx, p.query, string(id))
	if err != nil {
		return err
	}
	defer rows.Close()
	var n int64
	var line []byte
	var obj string
	keyVals := make([]string, len(p.keys))
	byteVals := make([][]byte, p.selected)
	dest := make([]any, 0, 1+len(keyVals)+len(byteVals))
	dest = append(dest, &obj)
	for i := range keyVals {
		dest = append(dest, &keyVals[i])
	}
	for i := range byteVals {
		dest = append(dest, &byteVals[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		line = append(line[:0], obj[:len(obj)-1]...)
		if line, err = p.appendBytes(line, n+1, keyVals, byteVals, id, bw, opts); err != nil {
			return err
		}
		line = append(line, '}', '\n')
		if _, err := out.Write(line); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	p.mf.Rows, p.mf.Bytes, p.mf.SHA256 = &n, cw.n, hex.EncodeToString(h.Sum(nil))
	return bw.addFrom(p.mf, spool)
}

// tablePlan is how one table is exported: the JSON of its ordinary columns, and its
// bytea columns one by one, each by its kind (a sealed BSN opened, a blob as a file,
// a keyed hash or credential omitted, anything else as hex).
type tablePlan struct {
	mf       ManifestFile
	table    string
	byteCols []string // the bytea columns
	kinds    []int    // the kind of each
	keys     []string // the primary key without tenant_id: names a blob's file
	selected int      // bytea columns selected (not omitted)
	query    string
}

func planTable(t exportTable) tablePlan {
	p := tablePlan{mf: ManifestFile{Name: "tables/" + t.name + ".jsonl", Table: t.name}, table: t.name}
	var jsonCols []string
	for i, c := range t.cols {
		if t.types[i] != "bytea" {
			jsonCols = append(jsonCols, "t."+pgx.Identifier{c}.Sanitize())
			continue
		}
		k := colHex
		switch {
		case strings.HasSuffix(c, "bsn_sealed"):
			k = colBSN
		case strings.HasSuffix(c, "_index"):
			k = colOmitted
			p.mf.Omitted = append(p.mf.Omitted, c+": a keyed hash for lookups inside Plein, no use outside it")
		case c == "api_key_hash":
			k = colOmitted
			p.mf.Omitted = append(p.mf.Omitted, c+": a credential's hash; partners get new credentials elsewhere")
		case hasKey(blobs, t.name+"."+c):
			k = colBlob
		}
		p.kinds = append(p.kinds, k)
		p.byteCols = append(p.byteCols, c)
	}
	for _, k := range t.pk {
		if k != "tenant_id" {
			p.keys = append(p.keys, k)
		}
	}
	sel := []string{"row_to_json(r)::text"}
	for _, k := range p.keys {
		sel = append(sel, "t."+pgx.Identifier{k}.Sanitize()+"::text")
	}
	for i, c := range p.byteCols {
		if p.kinds[i] != colOmitted {
			sel = append(sel, "t."+pgx.Identifier{c}.Sanitize())
			p.selected++
		}
	}
	order := make([]string, len(t.pk))
	for i, k := range t.pk {
		order[i] = "t." + pgx.Identifier{k}.Sanitize()
	}
	if len(order) == 0 {
		order = []string{"row_to_json(r)::text"}
	}
	// Identifiers come from the catalogue and are quoted; the tenant is a parameter
	// and row-level security applies besides.
	p.query = fmt.Sprintf(`SELECT %s FROM public.%s t CROSS JOIN LATERAL (SELECT %s) r WHERE t.tenant_id = $1 ORDER BY %s`,
		strings.Join(sel, ", "), pgx.Identifier{t.name}.Sanitize(), strings.Join(jsonCols, ", "), strings.Join(order, ", "))
	return p
}

// appendBytes adds row's bytea columns to its JSON line, writing blobs to the bundle.
func (p *tablePlan) appendBytes(line []byte, row int64, keyVals []string, vals [][]byte, id tenant.ID,
	bw *bundleWriter, opts ExportOptions) ([]byte, error) {
	j := 0
	for i, c := range p.byteCols {
		if p.kinds[i] == colOmitted {
			continue
		}
		v := vals[j]
		j++
		switch p.kinds[i] {
		case colBSN:
			name := strings.TrimSuffix(c, "_sealed")
			switch {
			case v == nil:
				line = appendField(line, name, nil)
			case opts.Sealer == nil:
				line = appendField(line, c, hex.EncodeToString(v))
			default:
				b, err := opts.Sealer.Open(v, []byte(id))
				if err != nil {
					return nil, fmt.Errorf("%s of row %d: %w", c, row, err)
				}
				line = appendField(line, name, b.Reveal())
			}
		case colBlob:
			if v == nil {
				line = appendField(line, c+"_file", nil)
				break
			}
			name := blobName(p.table, keyVals, blobs[p.table+"."+c])
			if err := bw.add(name, v); err != nil {
				return nil, err
			}
			line = appendField(line, c+"_file", name)
		default:
			if v == nil {
				line = appendField(line, c, nil)
			} else {
				line = appendField(line, c, hex.EncodeToString(v))
			}
		}
	}
	return line, nil
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// appendField adds "name": v to a JSON object whose closing brace was cut off.
func appendField(line []byte, name string, v any) []byte {
	b, _ := json.Marshal(v)
	line = append(line, ',')
	line = strconv.AppendQuote(line, name)
	line = append(line, ':')
	return append(line, b...)
}

// blobName is the file of a stored document: its table and primary key, each part
// reduced to characters that are safe in a path.
func blobName(table string, keys []string, ext string) string {
	parts := []string{"files", table}
	for _, k := range keys {
		parts = append(parts, safeSegment(k))
	}
	return strings.Join(parts, "/") + ext
}

func safeSegment(s string) string {
	b := []byte(s)
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] == '.' {
		b = append([]byte{'_'}, b...)
	}
	return string(b)
}

// byteCount is the number of bytes that went through a countWriter or countReader:
// a table file's and a whole bundle's size are counted as they stream, not looked up.
type byteCount struct{ n int64 }

// add counts the n bytes of one Read or Write and passes its result on.
func (c *byteCount) add(n int, err error) (int, error) {
	c.n += int64(n)
	return n, err
}

type countWriter struct {
	w io.Writer
	byteCount
}

func (c *countWriter) Write(p []byte) (int, error) { return c.add(c.w.Write(p)) }

// bundleWriter adds files to the tar and lists them for the manifest.
type bundleWriter struct {
	tw    *tar.Writer
	at    time.Time
	files []ManifestFile
	names map[string]bool
}

func (b *bundleWriter) header(name string, size int64) *tar.Header {
	return &tar.Header{Name: name, Size: size, Mode: 0o600, ModTime: b.at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
}

func (b *bundleWriter) add(name string, content []byte) error {
	sum := sha256.Sum256(content)
	f := ManifestFile{Name: name, Bytes: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
	return b.addFrom(f, bytes.NewReader(content))
}

func (b *bundleWriter) addFrom(f ManifestFile, r io.Reader) error {
	if b.names == nil {
		b.names = map[string]bool{}
	}
	if b.names[f.Name] {
		return fmt.Errorf("export: two files named %s", f.Name)
	}
	b.names[f.Name] = true
	if err := b.tw.WriteHeader(b.header(f.Name, f.Bytes)); err != nil {
		return err
	}
	if n, err := io.Copy(b.tw, r); err != nil {
		return err
	} else if n != f.Bytes {
		return fmt.Errorf("export: %s: wrote %d bytes, want %d", f.Name, n, f.Bytes)
	}
	if f.Name != "manifest.json" {
		b.files = append(b.files, f)
	}
	return nil
}

// ErrBundleInvalid is a bundle that does not check out.
var ErrBundleInvalid = errors.New("export bundle invalid")

// VerifyBundle reads a bundle back and checks it: every file of the manifest present
// with its bytes, sha256 and (for a table) rows, nothing else in it, and SHA256SUMS
// agreeing, manifest.json included. It returns the manifest, and the sha256 and size
// of the whole bundle as read.
func VerifyBundle(r io.Reader) (Manifest, BundleInfo, error) {
	whole := sha256.New()
	cr := &countReader{r: io.TeeReader(r, whole)}
	e, err := readEntries(cr)
	if err != nil {
		return Manifest{}, BundleInfo{}, err
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return Manifest{}, BundleInfo{}, err
	}
	if e.manifest == nil || e.sums == nil {
		return Manifest{}, BundleInfo{}, fmt.Errorf("%w: manifest.json or SHA256SUMS is missing", ErrBundleInvalid)
	}
	var m Manifest
	if err := json.Unmarshal(e.manifest, &m); err != nil {
		return Manifest{}, BundleInfo{}, fmt.Errorf("%w: manifest.json: %w", ErrBundleInvalid, err)
	}
	if m.Format != BundleFormat || !m.Tenant.Valid() {
		return Manifest{}, BundleInfo{}, fmt.Errorf("%w: manifest.json: format %q, tenant %q", ErrBundleInvalid, m.Format, m.Tenant)
	}
	if err := e.checkManifest(m); err != nil {
		return Manifest{}, BundleInfo{}, err
	}
	if err := e.checkSums(); err != nil {
		return Manifest{}, BundleInfo{}, err
	}
	return m, BundleInfo{SHA256: hexSum(whole), Bytes: cr.n, Manifest: m}, nil
}

// bundleEntries is what reading a bundle found: each file's size, lines and sha256 in
// the order of the archive, and the manifest and SHA256SUMS themselves.
type bundleEntries struct {
	got            map[string]entrySeen
	order          []string
	manifest, sums []byte
}

type entrySeen struct {
	bytes, lines int64
	sha          string
}

func readEntries(r io.Reader) (*bundleEntries, error) {
	e := &bundleEntries{got: map[string]entrySeen{}}
	if err := walkBundle(r, e.add); err != nil {
		return nil, err
	}
	return e, nil
}

// walkBundle calls entry with each file of the gzipped tar r, in order, and then reads
// the gzip stream to its end, so that its checksum is checked too.
func walkBundle(r io.Reader, entry func(h *tar.Header, content io.Reader) error) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBundleInvalid, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBundleInvalid, err)
		}
		if err := entry(h, tr); err != nil {
			return err
		}
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return fmt.Errorf("%w: %w", ErrBundleInvalid, err)
	}
	if err := zr.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrBundleInvalid, err)
	}
	return nil
}

// add checks one file of a bundle (a plain file, a clean relative name, seen once) and
// records its size, lines and sha256; it keeps manifest.json and SHA256SUMS.
func (e *bundleEntries) add(h *tar.Header, content io.Reader) error {
	if h.Typeflag != tar.TypeReg || path.IsAbs(h.Name) || path.Clean(h.Name) != h.Name || strings.HasPrefix(h.Name, "../") {
		return fmt.Errorf("%w: unexpected entry %q", ErrBundleInvalid, h.Name)
	}
	if _, dup := e.got[h.Name]; dup {
		return fmt.Errorf("%w: %s twice", ErrBundleInvalid, h.Name)
	}
	hs := sha256.New()
	lc := &lineCounter{}
	var keep bytes.Buffer
	ws := []io.Writer{hs, lc}
	if h.Name == "manifest.json" || h.Name == "SHA256SUMS" {
		ws = append(ws, &keep)
	}
	n, err := io.Copy(io.MultiWriter(ws...), content)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBundleInvalid, h.Name, err)
	}
	e.got[h.Name] = entrySeen{bytes: n, lines: lc.n, sha: hexSum(hs)}
	e.order = append(e.order, h.Name)
	switch h.Name {
	case "manifest.json":
		e.manifest = keep.Bytes()
	case "SHA256SUMS":
		e.sums = keep.Bytes()
	}
	return nil
}

// checkManifest: every file the manifest lists is in the bundle with its size, sha256
// and rows, and every file in the bundle is listed.
func (e *bundleEntries) checkManifest(m Manifest) error {
	listed := map[string]bool{"manifest.json": true, "SHA256SUMS": true}
	for _, f := range m.Files {
		s, ok := e.got[f.Name]
		switch {
		case !ok:
			return fmt.Errorf("%w: %s is in the manifest but not in the bundle", ErrBundleInvalid, f.Name)
		case s.bytes != f.Bytes || s.sha != f.SHA256:
			return fmt.Errorf("%w: %s has %d bytes with sha256 %s, the manifest says %d and %s",
				ErrBundleInvalid, f.Name, s.bytes, s.sha, f.Bytes, f.SHA256)
		case f.Rows != nil && *f.Rows != s.lines:
			return fmt.Errorf("%w: %s has %d rows, the manifest says %d", ErrBundleInvalid, f.Name, s.lines, *f.Rows)
		}
		listed[f.Name] = true
	}
	for _, name := range e.order {
		if !listed[name] {
			return fmt.Errorf("%w: %s is not in the manifest", ErrBundleInvalid, name)
		}
	}
	return nil
}

// checkSums: SHA256SUMS lists every other file with its sha256, and nothing more.
func (e *bundleEntries) checkSums() error {
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(e.sums), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			return fmt.Errorf("%w: SHA256SUMS: bad line %q", ErrBundleInvalid, line)
		}
		want[name] = sum
	}
	for _, name := range e.order {
		if name == "SHA256SUMS" {
			continue
		}
		if want[name] != e.got[name].sha {
			return fmt.Errorf("%w: SHA256SUMS: %s is %s, listed as %q", ErrBundleInvalid, name, e.got[name].sha, want[name])
		}
		delete(want, name)
	}
	if len(want) > 0 {
		names := make([]string, 0, len(want))
		for n := range want {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("%w: SHA256SUMS lists files not in the bundle: %s", ErrBundleInvalid, strings.Join(names, ", "))
	}
	return nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

type countReader struct {
	r io.Reader
	byteCount
}

func (c *countReader) Read(p []byte) (int, error) { return c.add(c.r.Read(p)) }

type lineCounter struct{ n int64 }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
