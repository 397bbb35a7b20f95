package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/internal/pyformat"
	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

// ref is what a command argument names: an experiment, and maybe one of
// its components.
type ref struct{ exp, comp string }

// parseRef splits ID or ID/COMPONENT; needComp requires the component.
func parseRef(command, arg string, needComp bool) (ref, error) {
	want := "ID or ID/COMPONENT"
	if needComp {
		want = "ID/COMPONENT"
	}
	parts := strings.Split(arg, "/")
	bad := len(parts) > 2 || (needComp && len(parts) != 2) || parts[0] == ""
	if len(parts) == 2 && (parts[1] == "" || parts[1] == "." || parts[1] == "..") {
		bad = true
	}
	if bad {
		return ref{}, fmt.Errorf("%s: expected %s, got %q", command, want, arg)
	}
	r := ref{exp: parts[0]}
	if len(parts) == 2 {
		r.comp = parts[1]
	}
	return r, nil
}

// findComponent looks a component up in the experiment's schedule; an
// unknown ID lists a few known ones and the nearest.
func findComponent(e *storage.ExperimentView, id string) (*storage.ComponentView, error) {
	cs, err := e.Components()
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("experiment %s has no component %q: it has no components at all", e.ID, id)
	}
	var known, all []string
	for i, c := range cs {
		if i < 5 {
			known = append(known, c.ID)
		}
		all = append(all, c.ID)
	}
	list := strings.Join(known, ", ")
	if len(cs) > len(known) {
		list += fmt.Sprintf(" and %d more", len(cs)-len(known))
	}
	msg := fmt.Sprintf("experiment %s has no component %q (its components: %s)", e.ID, id, list)
	if near := suggest.Nearest(id, all); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	}
	return nil, errors.New(msg)
}

// quickComponent returns the component without parsing schedule.json when
// its directory exists: what records and logs need is in the directory.
// Name, Config and Flags are not set. Otherwise (a queued component, or a
// typo) it falls back to the schedule.
func quickComponent(e *storage.ExperimentView, id string) (*storage.ComponentView, error) {
	if fi, err := e.Storage().Fs.Stat(filepath.Join(e.Path(), id)); err == nil && fi.IsDir() {
		return &storage.ComponentView{Experiment: e, ID: id}, nil
	}
	return findComponent(e, id)
}

// formatValue renders a record or config value in a table or CSV cell:
// strings as they are, floats as Python writes them (whole ones with
// ".0"), lists and maps as compact JSON.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		// as Python writes it: 0.1, 2.0, a _timestamp 1796008121.208551, 1e-05
		return pyformat.Repr(x)
	}
	return compactJSON(v)
}

func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonvalue.KeepFloats(v)); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// columns collects the union of row keys in first-seen order (a row's own
// keys in the order they are stored: sorted), with the meta fields
// last.
type columns struct {
	names []string
	seen  map[string]bool
}

func (c *columns) add(row map[string]any) {
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	var fresh []string
	for k := range row {
		if !c.seen[k] {
			fresh = append(fresh, k)
		}
	}
	sort.Strings(fresh)
	for _, k := range fresh {
		c.seen[k] = true
		c.names = append(c.names, k)
	}
}

// metaColumns are the fields machinable stamps on every row, in the order
// they come after the row's own values.
var metaColumns = append([]string{"_time", "_iteration"}, timingColumns...)

// timingColumns are 2.x's timing fields of a row.
var timingColumns = []string{"_timestamp", "_seconds_taken", "_time_taken", "_total_seconds_taken", "_total_time_taken"}

func (c *columns) ordered() []string {
	var out, tail []string
	for _, k := range c.names {
		if !slices.Contains(metaColumns, k) {
			out = append(out, k)
		}
	}
	for _, k := range metaColumns {
		if c.seen[k] {
			tail = append(tail, k)
		}
	}
	return append(out, tail...)
}

// rowKeys orders one row's keys like the columns: sorted, the meta
// fields last.
func rowKeys(row map[string]any) []string {
	var c columns
	c.add(row)
	return c.ordered()
}

func newRecordsCommand(stdout io.Writer) *cobra.Command {
	var storageURL, scope, format string
	var asCSV bool
	cmd := &cobra.Command{
		Use:   "records ID[/COMPONENT]",
		Short: "Print the rows a component recorded",
		Long: `Print the rows a component saved with self.record (scope "default") or in
another scope (--scope). With only the experiment ID, the rows of every
component in schedule order, with a leading "component" column.

Columns are the union of the rows' keys in the order first seen (each row's
keys as stored: sorted), then the fields machinable stamps on each row: _time, _iteration,
_timestamp, _seconds_taken, _time_taken, _total_seconds_taken, _total_time_taken. Formats: an aligned table (default;
without those timing fields after _iteration); csv (a header,
then one line per row; a missing value is an empty cell); json (one JSON
array of objects, keys in column order, whole floats kept as floats). Rows
are streamed from the files, never all held in memory; a row being written
right now (no newline yet) is left out.`,
		Example: `  machinable records 8gWVkz/e9DJBHuoiCvn
  machinable records 8gWVkz --format csv > rows.csv
  machinable records 8gWVkz/e9DJBHuoiCvn --scope validation --format json`,
		Args: oneArg("an experiment ID, or ID/COMPONENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asCSV {
				if cmd.Flags().Changed("format") && format != "csv" {
					return &exitError{code: ExitError, err: fmt.Errorf("records: --csv and --format %s contradict each other", format)}
				}
				format = "csv"
			}
			switch format {
			case "table", "csv", "json":
			default:
				return &exitError{code: ExitError, err: fmt.Errorf("records: --format %q: expected table, csv or json", format)}
			}
			r, err := parseRef("records", args[0], false)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			e, err := openView(storageURL, r.exp, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("records: %w", err)}
			}
			var comps []*storage.ComponentView
			if r.comp != "" {
				c, err := quickComponent(e, r.comp)
				if err != nil {
					return &exitError{code: ExitError, err: fmt.Errorf("records: %w", err)}
				}
				comps = []*storage.ComponentView{c}
			} else if comps, err = e.Components(); err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("records: %w", err)}
			}
			w := bufio.NewWriterSize(stdout, 64*1024)
			n, err := writeRecords(w, comps, scope, format, r.comp == "")
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("records %s: %w", args[0], err)}
			}
			if n == 0 {
				var scopes []string
				for _, c := range comps {
					scopes = append(scopes, c.Scopes()...)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "records: %s has no rows in scope %q%s\n", args[0], scope, scopesNote(scopes))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().StringVar(&scope, "scope", "default", "record scope")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json (a JSON array)")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "same as --format csv")
	return cmd
}

func scopesNote(scopes []string) string {
	if len(scopes) == 0 {
		return " (no scope has rows yet)"
	}
	sort.Strings(scopes)
	var uniq []string
	for i, s := range scopes {
		if i == 0 || s != scopes[i-1] {
			uniq = append(uniq, s)
		}
	}
	return fmt.Sprintf(" (scopes with rows: %s)", strings.Join(uniq, ", "))
}

// writeRecords streams the rows of the components in the format and
// returns how many it wrote. Table and CSV read the rows twice: once for
// the columns (and widths), once to print, so memory stays flat however
// many rows there are.
func writeRecords(w io.Writer, comps []*storage.ComponentView, scope, format string, withComponent bool) (int, error) {
	if format == "json" {
		return writeRecordsJSON(w, comps, scope, withComponent)
	}
	var cols columns
	widths := map[string]int{}
	rows := 0
	for _, c := range comps {
		err := c.Records(scope, func(row map[string]any) bool {
			rows++
			cols.add(row)
			if format == "table" {
				for k, v := range row {
					widths[k] = max(widths[k], utf8.RuneCountInString(formatValue(v)))
				}
			}
			return true
		})
		if err != nil {
			return 0, fmt.Errorf("component %s: %w", c.ID, err)
		}
		if withComponent {
			widths["\x00component"] = max(widths["\x00component"], utf8.RuneCountInString(c.ID))
		}
	}
	if rows == 0 {
		return 0, nil
	}
	names := cols.ordered()
	if format == "table" {
		// the timing fields would double the table's width: csv and json
		// have them
		names = slices.DeleteFunc(names, func(k string) bool { return slices.Contains(timingColumns, k) })
	}
	header := names
	if withComponent {
		header = append([]string{"component"}, names...)
	}
	cell := make([]string, len(header))
	var emit func() error
	if format == "csv" {
		cw := csv.NewWriter(w)
		defer cw.Flush()
		emit = func() error { return cw.Write(cell) }
	} else {
		width := make([]int, len(header))
		for i, k := range header {
			width[i] = utf8.RuneCountInString(k)
			if withComponent && i == 0 {
				k = "\x00component"
			} else if withComponent {
				k = names[i-1]
			}
			width[i] = max(width[i], widths[k])
		}
		var line []byte
		emit = func() error {
			line = line[:0]
			for i, s := range cell {
				line = append(line, s...)
				if i < len(cell)-1 {
					for pad := width[i] - utf8.RuneCountInString(s) + 2; pad > 0; pad-- {
						line = append(line, ' ')
					}
				}
			}
			line = append(line, '\n')
			_, err := w.Write(line)
			return err
		}
	}
	copy(cell, header)
	if err := emit(); err != nil {
		return 0, err
	}
	written := 0
	for _, c := range comps {
		var werr error
		err := c.Records(scope, func(row map[string]any) bool {
			i := 0
			if withComponent {
				cell[0] = c.ID
				i = 1
			}
			for _, k := range names {
				if v, ok := row[k]; ok {
					cell[i] = formatValue(v)
				} else {
					cell[i] = ""
				}
				i++
			}
			werr = emit()
			written++
			return werr == nil
		})
		if werr != nil {
			return written, werr
		}
		if err != nil {
			return written, fmt.Errorf("component %s: %w", c.ID, err)
		}
	}
	return written, nil
}

// writeRecordsJSON writes one JSON array, an object a line, each object's
// keys in column order.
func writeRecordsJSON(w io.Writer, comps []*storage.ComponentView, scope string, withComponent bool) (int, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	put := func(v any) {
		enc.Encode(v) // values decoded from JSON always encode
		buf.Truncate(buf.Len() - 1)
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range comps {
		var werr error
		err := c.Records(scope, func(row map[string]any) bool {
			buf.Reset()
			if n > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString("\n  {")
			first := true
			if withComponent {
				buf.WriteString(`"component":`)
				put(c.ID)
				first = false
			}
			for _, k := range rowKeys(row) {
				if !first {
					buf.WriteByte(',')
				}
				first = false
				put(k)
				buf.WriteByte(':')
				put(jsonvalue.KeepFloats(row[k]))
			}
			buf.WriteByte('}')
			_, werr = w.Write(buf.Bytes())
			n++
			return werr == nil
		})
		if werr != nil {
			return n, werr
		}
		if err != nil {
			return n, fmt.Errorf("component %s: %w", c.ID, err)
		}
	}
	end := "]\n"
	if n > 0 {
		end = "\n]\n"
	}
	_, err := io.WriteString(w, end)
	return n, err
}
