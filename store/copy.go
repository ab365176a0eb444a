package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrTargetNotEmpty: CopyDatabase's target already holds rows.
var ErrTargetNotEmpty = errors.New("target database is not empty")

// CopyProgress is what CopyDatabase reports after each table.
type CopyProgress struct {
	Table   string
	Rows    int64 // rows copied and counted again in the target
	Elapsed time.Duration
}

// copyBatchParams bounds the rows of one INSERT, so its placeholders stay well
// under both dialects' limits.
const copyBatchParams = 900

// CopyDatabase copies every row of src into dst, which may be of the other
// dialect: dst is migrated first and must then be empty (ErrTargetNotEmpty
// otherwise); tables go parents first, each in one transaction of dst,
// keeping every id, and each table's row count in dst must equal src's.
// PostgreSQL's identity sequences are then moved past the largest copied
// id. src is read in one transaction, so the copy is one moment of it (on
// SQLite that transaction also holds off writers; stop the instance first
// anyway, or rows written meanwhile are not in the copy).
func CopyDatabase(ctx context.Context, src, dst *Store, progress func(CopyProgress)) error {
	if err := src.CheckSchema(ctx); err != nil {
		return fmt.Errorf("store: copy: source: %w", err)
	}
	if err := dst.Migrate(ctx); err != nil {
		return fmt.Errorf("store: copy: target: %w", err)
	}
	tables, err := dst.tablesParentsFirst(ctx)
	if err != nil {
		return fmt.Errorf("store: copy: target tables: %w", err)
	}
	for _, t := range tables {
		var n int64
		if err := dst.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+t); err != nil {
			return fmt.Errorf("store: copy: target table %s: %w", t, err)
		}
		if n > 0 {
			return fmt.Errorf("store: copy: %w: %s has %d rows", ErrTargetNotEmpty, t, n)
		}
	}
	var opts *sql.TxOptions
	if src.pg {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	stx, err := src.db.BeginTxx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: copy: source: %w", err)
	}
	defer stx.Rollback()
	for _, t := range tables {
		start := time.Now()
		n, err := copyTable(ctx, stx, dst, t)
		if err != nil {
			return fmt.Errorf("store: copy: table %s: %w", t, err)
		}
		if progress != nil {
			progress(CopyProgress{Table: t, Rows: n, Elapsed: time.Since(start)})
		}
	}
	if dst.pg {
		if err := dst.resetSequences(ctx, tables); err != nil {
			return fmt.Errorf("store: copy: sequences: %w", err)
		}
	}
	return nil
}

// copyTable copies table from the source transaction into dst in one
// transaction of dst and returns the rows copied, after checking that dst
// counts as many as the source.
func copyTable(ctx context.Context, stx *sqlx.Tx, dst *Store, table string) (int64, error) {
	var want int64
	if err := stx.GetContext(ctx, &want, `SELECT COUNT(*) FROM `+table); err != nil {
		return 0, err
	}
	rows, err := stx.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	boolCols, err := dst.booleanColumns(ctx, table)
	if err != nil {
		return 0, err
	}
	perRow := max(1, copyBatchParams/len(cols))
	var copied int64
	err = dst.inTx(ctx, func(tx *sqlx.Tx) error {
		batch := make([]any, 0, perRow*len(cols))
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			n := len(batch) / len(cols)
			one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
			q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
				strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
			if _, err := dst.exec(ctx, tx, q, batch...); err != nil {
				return err
			}
			copied += int64(n)
			batch = batch[:0]
			return nil
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for i, v := range vals {
				batch = append(batch, copyValue(v, boolCols[cols[i]]))
			}
			if len(batch) >= perRow*len(cols) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		var got int64
		if err := tx.GetContext(ctx, &got, `SELECT COUNT(*) FROM `+table); err != nil {
			return err
		}
		if got != want || copied != want {
			return fmt.Errorf("source has %d rows, %d copied, target counts %d", want, copied, got)
		}
		return nil
	})
	return copied, err
}

// copyValue adapts a value read from one driver for the other: SQLite may
// hand back a BOOLEAN as an integer, and text as bytes; times go in as UTC.
func copyValue(v any, boolean bool) any {
	switch x := v.(type) {
	case int64:
		if boolean {
			return x != 0
		}
	case []byte:
		return string(x)
	case time.Time:
		return ts(x)
	}
	return v
}

// tablesParentsFirst lists the schema's tables (but goose's) so that every
// table comes after the tables its foreign keys point to.
func (s *Store) tablesParentsFirst(ctx context.Context) ([]string, error) {
	var tables []string
	var edges []struct {
		Child  string `db:"child"`
		Parent string `db:"parent"`
	}
	if s.pg {
		if err := s.db.SelectContext(ctx, &tables, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`); err != nil {
			return nil, err
		}
		if err := s.db.SelectContext(ctx, &edges, `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent
			FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`); err != nil {
			return nil, err
		}
	} else {
		if err := s.db.SelectContext(ctx, &tables, `SELECT name FROM sqlite_master
			WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`); err != nil {
			return nil, err
		}
		if err := s.db.SelectContext(ctx, &edges, `SELECT m.name AS child, f."table" AS parent
			FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`); err != nil {
			return nil, err
		}
	}
	tables = slices.DeleteFunc(tables, func(t string) bool { return t == "goose_db_version" })
	parents := map[string][]string{}
	for _, e := range edges {
		if e.Child != e.Parent {
			parents[e.Child] = append(parents[e.Child], e.Parent)
		}
	}
	var out []string
	done := map[string]bool{}
	var visit func(t string, path []string) error
	visit = func(t string, path []string) error {
		if done[t] {
			return nil
		}
		if slices.Contains(path, t) {
			return fmt.Errorf("foreign keys loop through %v", append(path, t))
		}
		for _, p := range parents[t] {
			if err := visit(p, append(path, t)); err != nil {
				return err
			}
		}
		done[t] = true
		out = append(out, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// booleanColumns names table's BOOLEAN columns in this database.
func (s *Store) booleanColumns(ctx context.Context, table string) (map[string]bool, error) {
	var cols []string
	var err error
	if s.pg {
		err = s.sel(ctx, s.db, &cols, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND data_type = 'boolean'`, table)
	} else {
		err = s.sel(ctx, s.db, &cols, `SELECT name FROM pragma_table_info(?) WHERE upper(type) = 'BOOLEAN'`, table)
	}
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range cols {
		out[c] = true
	}
	return out, nil
}

// resetSequences moves each identity column's sequence past the column's
// largest value, so rows inserted after a copy get new ids.
func (s *Store) resetSequences(ctx context.Context, tables []string) error {
	var idents []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := s.db.SelectContext(ctx, &idents, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`); err != nil {
		return err
	}
	for _, c := range idents {
		if !slices.Contains(tables, c.Table) {
			continue
		}
		// setval(seq, max, true) makes max+1 the next id; an empty table
		// starts at 1 (setval(seq, 1, false)).
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'),
			COALESCE((SELECT MAX(%[2]s) FROM %[1]s), 1), (SELECT MAX(%[2]s) FROM %[1]s) IS NOT NULL)`, c.Table, c.Column)
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s.%s: %w", c.Table, c.Column, err)
		}
	}
	return nil
}
