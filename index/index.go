package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// FileName is the index file inside a local storage's root directory.
const FileName = ".machinable-index.sqlite"

// SchemaVersion changes whenever the tables change; an index of another
// version is rebuilt.
const SchemaVersion = 1

// timeLayout stores times so that they sort as text: UTC, fixed width.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// Index is the search index of one storage.
type Index struct {
	st   *storage.Storage
	db   *sql.DB
	path string // the index file; "" for a mem:// storage
	mu   sync.Mutex
}

var (
	openMu sync.Mutex
	opened = map[string]*Index{} // one handle per index file (or mem:// URL) and process
)

// Location is where the index of a storage lives: a file in a local
// storage's root. A mem:// storage's index is in memory and lives as long
// as the storage; object stores (s3://) have none.
func Location(st *storage.Storage) (string, error) {
	switch {
	case st.Memory:
		return "", nil
	case st.Object:
		return "", fmt.Errorf("storage %s: search needs a local or mem:// storage; an object store has no index (copy the experiments to a local directory, or read them with Storage(url).experiments)", st.URL)
	}
	return filepath.Join(st.Root, FileName), nil
}

// Open opens (or creates and fills) the index of a storage. An index
// file that is damaged or of another schema is set aside or rebuilt;
// warn gets a line saying so (nil: no warnings). The handle is shared
// within the process: do not close it.
func Open(st *storage.Storage, warn io.Writer) (*Index, error) {
	loc, err := Location(st)
	if err != nil {
		return nil, err
	}
	key := loc
	if st.Memory {
		key = "mem:" + st.URL
	}
	openMu.Lock()
	defer openMu.Unlock()
	if ix, ok := opened[key]; ok {
		return ix, nil
	}
	if loc != "" {
		if fi, err := os.Stat(st.Root); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("storage %s: no such directory (%s)", st.URL, st.Root)
		}
	}
	ix, err := open(st, loc, warn)
	if err != nil {
		return nil, err
	}
	opened[key] = ix
	return ix, nil
}

// Existing opens the index of a storage only if it has one already: the
// executor keeps an index up to date but never starts one.
func Existing(st *storage.Storage) *Index {
	loc, err := Location(st)
	if err != nil {
		return nil
	}
	key := loc
	if st.Memory {
		key = "mem:" + st.URL
	}
	openMu.Lock()
	ix := opened[key]
	openMu.Unlock()
	if ix != nil || st.Memory {
		return ix
	}
	if _, err := os.Stat(loc); err != nil {
		return nil
	}
	ix, err = Open(st, nil)
	if err != nil {
		return nil
	}
	return ix
}

func connect(loc string) (*sql.DB, error) {
	dsn := "file::memory:"
	if loc != "" {
		// WAL lets readers go on while one process writes; writers wait
		// for each other up to the busy timeout instead of failing.
		dsn = "file:" + loc + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if loc == "" {
		db.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	} else {
		db.SetMaxOpenConns(4)
	}
	return db, nil
}

func open(st *storage.Storage, loc string, warn io.Writer) (*Index, error) {
	_, statErr := os.Stat(loc)
	missing := loc == "" || errors.Is(statErr, os.ErrNotExist)
	db, err := connect(loc)
	if err != nil {
		return nil, err
	}
	ix := &Index{st: st, db: db, path: loc}
	version, err := ix.schemaVersion()
	if err != nil && loc != "" && damaged(err) {
		// Not a database (or a damaged one): keep it aside, start again.
		db.Close()
		aside, aerr := setAside(loc)
		if aerr != nil {
			return nil, fmt.Errorf("index %s: %v; setting it aside failed: %w", loc, err, aerr)
		}
		if warn != nil {
			fmt.Fprintf(warn, "warning: index %s is damaged (%v): set aside as %s and rebuilt from the storage\n", loc, err, filepath.Base(aside))
		}
		if db, err = connect(loc); err != nil {
			return nil, err
		}
		ix.db = db
		version, missing = 0, true
	} else if err != nil {
		return nil, err
	}
	if version != SchemaVersion {
		if !missing && warn != nil {
			fmt.Fprintf(warn, "note: index %s has schema %d, this machinable uses %d: rebuilt from the storage\n", loc, version, SchemaVersion)
		}
		if err := ix.Rebuild(context.Background()); err != nil {
			return nil, err
		}
	} else if missing {
		if err := ix.Rebuild(context.Background()); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// damaged tells a file that is no database, or a damaged one, from
// errors that say nothing about the file (busy, no permission): only the
// former is set aside.
func damaged(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			return true
		}
	}
	return false
}

// setAside renames a damaged index file (and its WAL files, which belong
// to it) to <name>.corrupt-<time>: never removed, out of the way.
func setAside(loc string) (string, error) {
	aside := fmt.Sprintf("%s.corrupt-%s", loc, time.Now().UTC().Format("20060102T150405.000000000"))
	if err := os.Rename(loc, aside); err != nil {
		return "", err
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(loc + ext); err == nil {
			_ = os.Rename(loc+ext, aside+ext)
		}
	}
	return aside, nil
}

// schemaVersion reads the version the index was made with; 0 when it
// has no tables yet. An error means the file is not a usable database.
func (ix *Index) schemaVersion() (int, error) {
	var n int
	if err := ix.db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	// From here on the file has tables: any version but ours (none
	// readable: -1) is rebuilt with a note.
	var v string
	err := ix.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if err != nil {
		return -1, nil // tables of something else: rebuild
	}
	var version int
	if _, err := fmt.Sscan(v, &version); err != nil {
		return -1, nil
	}
	return version, nil
}

const schema = `
DROP TABLE IF EXISTS components;
DROP TABLE IF EXISTS experiments;
DROP TABLE IF EXISTS meta;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE experiments (
	path TEXT PRIMARY KEY,         -- relative to the storage root
	id TEXT NOT NULL,
	seed INTEGER NOT NULL,
	directory TEXT NOT NULL,
	started_at TEXT NOT NULL,
	engine TEXT NOT NULL,
	project TEXT NOT NULL,
	code_version TEXT NOT NULL,    -- JSON
	complete INTEGER NOT NULL      -- 0 while schedule.json is not there yet
);
CREATE TABLE components (
	experiment_path TEXT NOT NULL REFERENCES experiments(path) ON DELETE CASCADE,
	id TEXT NOT NULL,
	experiment TEXT NOT NULL,      -- experiment ID
	position INTEGER NOT NULL,     -- in schedule order
	name TEXT NOT NULL,
	status TEXT NOT NULL,          -- as stored: created, running, finished, ...
	status_json TEXT NOT NULL,     -- the whole status, to tell stale from running
	started_at TEXT,
	finished_at TEXT,
	config BLOB NOT NULL,          -- JSONB: searched without parsing text
	flags BLOB NOT NULL,           -- JSONB
	PRIMARY KEY (experiment_path, id)
);
CREATE INDEX components_name ON components(name);
CREATE INDEX components_status ON components(status);
CREATE INDEX components_experiment ON components(experiment);
CREATE INDEX components_started ON components(started_at);
CREATE INDEX experiments_started ON experiments(started_at);
`

// Rebuild fills the index again from the storage, in one transaction:
// readers see the old content until it commits.
func (ix *Index) Rebuild(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	rels, err := ix.st.ExperimentDirs()
	if err != nil {
		return err
	}
	exps := ix.readExperiments(rels)
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return ix.wrap(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(schema); err != nil {
		return ix.wrap(err)
	}
	if _, err := tx.Exec(`INSERT INTO meta(key, value) VALUES ('schema_version', ?), ('storage', ?)`, fmt.Sprint(SchemaVersion), ix.st.URL); err != nil {
		return ix.wrap(err)
	}
	if err := insertExperiments(tx, exps); err != nil {
		return ix.wrap(err)
	}
	return ix.wrap(tx.Commit())
}

func (ix *Index) wrap(err error) error {
	if err == nil {
		return nil
	}
	where := ix.path
	if where == "" {
		where = ix.st.URL + " (in memory)"
	}
	return fmt.Errorf("index %s: %w", where, err)
}

// expRow is an experiment read from the storage, ready to insert.
type expRow struct {
	rel        string
	view       *storage.ExperimentView
	components []compRow
	complete   bool
	err        error
}

type compRow struct {
	id, name, config, flags string
	status                  storage.Status
}

// readExperiments reads experiments from the storage in parallel; one
// that does not read is left out (the storage's own listing reports it).
func (ix *Index) readExperiments(rels []string) []*expRow {
	out := make([]*expRow, len(rels))
	storage.Parallel(len(rels), func(i int) { out[i] = readExperiment(ix.st, rels[i]) })
	kept := out[:0]
	for _, r := range out {
		if r.err == nil {
			kept = append(kept, r)
		}
	}
	return kept
}

func readExperiment(st *storage.Storage, rel string) *expRow {
	r := &expRow{rel: rel}
	v, err := st.ViewRel(rel)
	if err != nil {
		r.err = err
		return r
	}
	r.view = v
	cs, err := v.Components()
	if err != nil {
		// Being prepared (no schedule.json yet) or damaged: indexed
		// without components, read again before the next search.
		return r
	}
	r.complete = true
	r.components = make([]compRow, len(cs))
	for i, c := range cs {
		st, err := c.Status()
		if err != nil {
			st = storage.Status{Status: storage.StatusUnreadable, Error: err.Error()}
		}
		cfg, _ := json.Marshal(jsonvalue.KeepFloatsMap(nonNil(c.Config)))
		flags, _ := json.Marshal(jsonvalue.KeepFloatsMap(nonNil(c.Flags)))
		r.components[i] = compRow{id: c.ID, name: c.Name, config: string(cfg), flags: string(flags), status: st}
	}
	return r
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func insertExperiments(tx *sql.Tx, exps []*expRow) error {
	delExp, err := tx.Prepare(`DELETE FROM experiments WHERE path = ?`)
	if err != nil {
		return err
	}
	defer delExp.Close()
	delComp, err := tx.Prepare(`DELETE FROM components WHERE experiment_path = ?`)
	if err != nil {
		return err
	}
	defer delComp.Close()
	insExp, err := tx.Prepare(`INSERT INTO experiments(path, id, seed, directory, started_at, engine, project, code_version, complete) VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer insExp.Close()
	insComp, err := tx.Prepare(`INSERT INTO components(experiment_path, id, experiment, position, name, status, status_json, started_at, finished_at, config, flags) VALUES (?,?,?,?,?,?,?,?,?,jsonb(?),jsonb(?))`)
	if err != nil {
		return err
	}
	defer insComp.Close()
	for _, e := range exps {
		if _, err := delComp.Exec(e.rel); err != nil {
			return err
		}
		if _, err := delExp.Exec(e.rel); err != nil {
			return err
		}
		v := e.view
		cv, _ := json.Marshal(nonNil(v.CodeVersion))
		if _, err := insExp.Exec(e.rel, v.ID, v.Seed, v.Directory, formatTime(&v.StartedAt), v.Engine, v.Project, string(cv), e.complete); err != nil {
			return err
		}
		for i, c := range e.components {
			sj, _ := json.Marshal(c.status)
			if _, err := insComp.Exec(e.rel, c.id, v.ID, i, c.name, c.status.Status, string(sj),
				nullTime(c.status.StartedAt), nullTime(c.status.FinishedAt), c.config, c.flags); err != nil {
				return err
			}
		}
	}
	return nil
}

func formatTime(t *time.Time) string { return t.UTC().Format(timeLayout) }

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(t)
}

// Refresh brings the index up to date with the storage: experiments
// that appeared are read, those gone are dropped, those read while being
// prepared are read again, and every component whose recorded status may
// still change on its own (see changedStatuses) has its status.json read
// again. It is
// what makes the index safe to trust without being the source of truth;
// it costs one listing of the experiment directories when nothing changed.
func (ix *Index) Refresh(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	rels, err := ix.st.ExperimentDirs()
	if err != nil {
		return err
	}
	known := map[string]bool{} // path -> complete
	rows, err := ix.db.QueryContext(ctx, `SELECT path, complete FROM experiments`)
	if err != nil {
		return ix.wrap(err)
	}
	for rows.Next() {
		var p string
		var complete bool
		if err := rows.Scan(&p, &complete); err != nil {
			rows.Close()
			return ix.wrap(err)
		}
		known[p] = complete
	}
	rows.Close()
	var todo []string
	present := map[string]bool{}
	for _, rel := range rels {
		present[rel] = true
		if complete, ok := known[rel]; !ok || !complete {
			todo = append(todo, rel)
		}
	}
	var gone []string
	for p := range known {
		if !present[p] {
			gone = append(gone, p)
		}
	}
	changed, err := ix.changedStatuses(ctx)
	if err != nil {
		return err
	}
	if len(todo) == 0 && len(gone) == 0 && len(changed) == 0 {
		return nil
	}
	exps := ix.readExperiments(todo)
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return ix.wrap(err)
	}
	defer tx.Rollback()
	for _, p := range gone {
		if _, err := tx.Exec(`DELETE FROM components WHERE experiment_path = ?`, p); err != nil {
			return ix.wrap(err)
		}
		if _, err := tx.Exec(`DELETE FROM experiments WHERE path = ?`, p); err != nil {
			return ix.wrap(err)
		}
	}
	if err := insertExperiments(tx, exps); err != nil {
		return ix.wrap(err)
	}
	for _, c := range changed {
		if err := updateStatus(tx, c.rel, c.id, c.status); err != nil {
			return ix.wrap(err)
		}
	}
	return ix.wrap(tx.Commit())
}

type statusRow struct {
	rel, id string
	status  storage.Status
}

// changedStatuses re-reads status.json of the components whose recorded
// status may change on its own (created, running, requeued, unreadable)
// and returns those whose status differs from the record. Finished,
// stopped, failed and interrupted are settled: they change only when an
// experiment is resumed, and a resume tells the index (executor hook).
func (ix *Index) changedStatuses(ctx context.Context) ([]statusRow, error) {
	rows, err := ix.db.QueryContext(ctx, `SELECT experiment_path, id, status_json FROM components WHERE status NOT IN ('finished', 'stopped', 'failed', 'interrupted')`)
	if err != nil {
		return nil, ix.wrap(err)
	}
	var cands []statusRow
	var recorded []string
	for rows.Next() {
		var r statusRow
		var sj string
		if err := rows.Scan(&r.rel, &r.id, &sj); err != nil {
			rows.Close()
			return nil, ix.wrap(err)
		}
		cands = append(cands, r)
		recorded = append(recorded, sj)
	}
	rows.Close()
	fresh := make([]storage.Status, len(cands))
	ok := make([]bool, len(cands))
	storage.Parallel(len(cands), func(i int) {
		fresh[i], ok[i] = readStatus(ix.st, cands[i].rel, cands[i].id)
	})
	var out []statusRow
	for i, c := range cands {
		if !ok[i] {
			continue
		}
		sj, _ := json.Marshal(fresh[i])
		if string(sj) != recorded[i] {
			c.status = fresh[i]
			out = append(out, c)
		}
	}
	return out, nil
}

// readStatus reads one component's status through the storage's read
// side, which checks the experiment's files like user input.
func readStatus(st *storage.Storage, rel, id string) (storage.Status, bool) {
	if storage.CheckRelExperimentPath(rel) != nil || storage.CheckComponentID(id) != nil {
		return storage.Status{}, false
	}
	exp, err := st.OpenExperiment(dirOf(rel), idOf(rel))
	if err != nil {
		return storage.Status{}, false
	}
	s, err := exp.ComponentStatus(id)
	if err != nil {
		return storage.Status{}, false
	}
	return s, true
}

func dirOf(rel string) string {
	if i := strings.LastIndex(rel, "/"); i >= 0 {
		return rel[:i]
	}
	return ""
}

func idOf(rel string) string { return rel[strings.LastIndex(rel, "/")+1:] }

func updateStatus(tx *sql.Tx, rel, id string, st storage.Status) error {
	sj, _ := json.Marshal(st)
	_, err := tx.Exec(`UPDATE components SET status = ?, status_json = ?, started_at = ?, finished_at = ? WHERE experiment_path = ? AND id = ?`,
		st.Status, string(sj), nullTime(st.StartedAt), nullTime(st.FinishedAt), rel, id)
	return err
}

// NoteExperiment records an experiment just written (execution.json and
// schedule.json) in place.
func (ix *Index) NoteExperiment(rel string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	r := readExperiment(ix.st, rel)
	if r.err != nil {
		return r.err
	}
	tx, err := ix.db.Begin()
	if err != nil {
		return ix.wrap(err)
	}
	defer tx.Rollback()
	if err := insertExperiments(tx, []*expRow{r}); err != nil {
		return ix.wrap(err)
	}
	return ix.wrap(tx.Commit())
}

// NoteStatus records a component's status as now stored.
func (ix *Index) NoteStatus(rel, id string) error {
	st, ok := readStatus(ix.st, rel, id)
	if !ok {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	tx, err := ix.db.Begin()
	if err != nil {
		return ix.wrap(err)
	}
	defer tx.Rollback()
	if err := updateStatus(tx, rel, id, st); err != nil {
		return ix.wrap(err)
	}
	return ix.wrap(tx.Commit())
}

// Rel is an experiment's path relative to its storage's root, as the
// index records it.
func Rel(exp *storage.Experiment) (string, error) {
	rel, err := filepath.Rel(exp.Storage().Root, exp.Path)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	return rel, storage.CheckRelExperimentPath(rel)
}
