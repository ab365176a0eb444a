package hh

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Strict decoding.
//
// encoding/json happily leaves a struct field at its zero value when hh omits
// it, so an answer missing "employer.name" would read as an employer named "".
// Each operation therefore carries a shape: the members its response schema in
// hh's OpenAPI description marks required (restricted to the members our types
// hold), compiled once from paths such as "items[].employer.name". After the
// body is unmarshalled, one pass of a small non-allocating scanner over the
// same bytes checks that every required member is present, and that those the
// schema does not declare nullable are not null.
//
// A shape belongs to an operation rather than to a Go type because hh's
// schemas disagree about the same object: a vacancy in search results must
// carry url and snippet, the full vacancy must carry description and
// key_skills; {id,name} pairs are required in some places and optional in
// others. TestShapesMatchSpec derives every shape from testdata/openapi.yml and
// compares.

// ErrMissingField is wrapped by a DecodeError for a required member that is
// absent, or null where hh's description does not allow null.
var ErrMissingField = errors.New("required field missing")

// DecodeError reports a response hh sent with a success status that does not
// match hh's description: invalid JSON, a wrong type, or a required member
// missing (Path names it, as "items[3].employer.name").
type DecodeError struct {
	Op   string // operation, one of the Op constants
	Path string // the member at fault; empty for JSON syntax and size errors
	Err  error  // ErrMissingField, or the json/size error
}

// Error implements error, as "hh: decode similar_vacancies:
// items[3].employer.name: required field missing".
func (e *DecodeError) Error() string {
	if e.Path == "" {
		return "hh: decode " + e.Op + ": " + e.Err.Error()
	}
	return "hh: decode " + e.Op + ": " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// decode unmarshals body into v and checks it against req (nil: no check).
func decode(op string, body []byte, req *shape, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return &DecodeError{Op: op, Err: err}
	}
	if req == nil {
		return nil
	}
	sc := scanner{data: body}
	sc.ws()
	if path, err := sc.check(req); err != nil {
		return &DecodeError{Op: op, Path: path, Err: err}
	}
	return nil
}

// shape lists the required members of a JSON value and, for containers, of
// what they hold.
type shape struct {
	members []member       // object members the schema constrains
	index   map[string]int // member name → position in members
	elem    *shape         // array: the shape of each element
}

type member struct {
	name     string
	required bool   // must be present
	nullable bool   // may be null when present
	sub      *shape // checked when the value is not null; nil: not looked into
}

// maxMembers bounds the members per object: presence is tracked in a uint64.
const maxMembers = 64

// newShape compiles paths into a shape. A path names a required member by its
// keys joined with dots; "[]" after a key (or at the start, for a top-level
// array) steps into every element of an array; a trailing "?" marks a member
// that is required but nullable. Intermediate keys are not required unless
// listed themselves:
//
//	newShape("found", "items", "items[].id", "items[].salary?", "items[].salary_range.currency")
//
// It panics on a malformed path: shapes are package-level constants.
func newShape(paths ...string) *shape {
	root := &shape{}
	for _, p := range paths {
		root.add(p, p)
	}
	return root
}

func (s *shape) add(full, rest string) {
	if strings.HasPrefix(rest, "[]") {
		if s.elem == nil {
			s.elem = &shape{}
		}
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "[]"), ".")
		if rest == "" {
			panic("hh: shape path " + full + " ends in []")
		}
		s.elem.add(full, rest)
		return
	}
	key, tail := rest, ""
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		key, tail = rest[:i], strings.TrimPrefix(rest[i:], ".")
		if tail == "" {
			panic("hh: malformed shape path " + full)
		}
	}
	nullable := strings.HasSuffix(key, "?")
	key = strings.TrimSuffix(key, "?")
	if key == "" || (nullable && tail != "") {
		panic("hh: malformed shape path " + full)
	}
	m := s.member(key)
	if tail == "" {
		m.required = true
		m.nullable = nullable
		return
	}
	if m.sub == nil {
		m.sub = &shape{}
	}
	m.sub.add(full, tail)
}

func (s *shape) member(key string) *member {
	if i, ok := s.index[key]; ok {
		return &s.members[i]
	}
	if len(s.members) == maxMembers {
		panic("hh: shape has more than 64 members")
	}
	if s.index == nil {
		s.index = make(map[string]int)
	}
	s.index[key] = len(s.members)
	s.members = append(s.members, member{name: key})
	return &s.members[len(s.members)-1]
}

// setSub makes the member at key (created if needed, not required) hold sub;
// it builds recursive shapes such as the region tree.
func (s *shape) setSub(key string, sub *shape) {
	s.member(key).sub = sub
}

// scanner walks JSON that encoding/json has already accepted, so it checks
// structure only as far as it needs to find its way.
type scanner struct {
	data []byte
	pos  int
}

func (sc *scanner) ws() {
	for sc.pos < len(sc.data) {
		switch sc.data[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

func (sc *scanner) peek() byte {
	if sc.pos < len(sc.data) {
		return sc.data[sc.pos]
	}
	return 0
}

// check walks the value at pos against s and returns the path of the first
// violation, relative to this value.
func (sc *scanner) check(s *shape) (string, error) {
	switch sc.peek() {
	case '{':
		if len(s.members) > 0 {
			return sc.checkObject(s)
		}
	case '[':
		if s.elem != nil {
			return sc.checkArray(s.elem)
		}
	}
	sc.skip()
	return "", nil
}

func (sc *scanner) checkObject(s *shape) (string, error) {
	var seen uint64
	sc.pos++ // {
	sc.ws()
	if sc.peek() == '}' {
		sc.pos++
	} else {
		for {
			key, escaped := sc.str()
			sc.ws()
			sc.pos++ // :
			sc.ws()
			i, ok := -1, false
			if escaped {
				var k string
				if json.Unmarshal(key, &k) == nil {
					i, ok = s.index[k]
				}
			} else {
				i, ok = s.index[string(key[1:len(key)-1])]
			}
			if !ok {
				sc.skip()
			} else {
				m := &s.members[i]
				seen |= 1 << i
				switch {
				case sc.isNull():
					sc.pos += 4
					if m.required && !m.nullable {
						return m.name, fmt.Errorf("%w (null)", ErrMissingField)
					}
				case m.sub != nil:
					if path, err := sc.check(m.sub); err != nil {
						return join(m.name, path), err
					}
				default:
					sc.skip()
				}
			}
			sc.ws()
			c := sc.peek()
			sc.pos++
			if c != ',' {
				break // }
			}
			sc.ws()
		}
	}
	for i := range s.members {
		if s.members[i].required && seen&(1<<i) == 0 {
			return s.members[i].name, ErrMissingField
		}
	}
	return "", nil
}

func (sc *scanner) checkArray(elem *shape) (string, error) {
	sc.pos++ // [
	sc.ws()
	if sc.peek() == ']' {
		sc.pos++
		return "", nil
	}
	for n := 0; ; n++ {
		if path, err := sc.check(elem); err != nil {
			return join("["+strconv.Itoa(n)+"]", path), err
		}
		sc.ws()
		c := sc.peek()
		sc.pos++
		if c != ',' {
			return "", nil // ]
		}
		sc.ws()
	}
}

func join(prefix, path string) string {
	switch {
	case path == "":
		return prefix
	case path[0] == '[':
		return prefix + path
	}
	return prefix + "." + path
}

func (sc *scanner) isNull() bool {
	return bytes.HasPrefix(sc.data[sc.pos:], []byte("null"))
}

// str consumes a string at pos and returns it with its quotes, and whether it
// holds escapes.
func (sc *scanner) str() ([]byte, bool) {
	start := sc.pos
	sc.pos++ // opening quote
	escaped := false
	for {
		i := bytes.IndexByte(sc.data[sc.pos:], '"')
		if i < 0 {
			sc.pos = len(sc.data)
			return sc.data[start:], escaped
		}
		end := sc.pos + i
		// The quote is escaped when an odd run of backslashes precedes it.
		bs := 0
		for j := end - 1; j >= sc.pos && sc.data[j] == '\\'; j-- {
			bs++
		}
		if bytes.IndexByte(sc.data[sc.pos:end], '\\') >= 0 {
			escaped = true
		}
		sc.pos = end + 1
		if bs%2 == 0 {
			return sc.data[start:sc.pos], escaped
		}
	}
}

// skip consumes one value of any kind.
func (sc *scanner) skip() {
	switch sc.peek() {
	case '"':
		sc.str()
	case '{', '[':
		depth := 0
		for sc.pos < len(sc.data) {
			switch sc.data[sc.pos] {
			case '"':
				sc.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					sc.pos++
					return
				}
			}
			sc.pos++
		}
	default: // number, true, false, null
		for sc.pos < len(sc.data) {
			switch sc.data[sc.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			sc.pos++
		}
	}
}
