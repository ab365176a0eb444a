package rules

import (
	"slices"
	"testing"
	"unicode"
)

func TestParseExcludeWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" ,\n, \r\n ", nil},
		{"senior, lead", []string{"senior", "lead"}},
		{"senior\nlead\r\n1С", []string{"senior", "lead", "1С"}},
		{"  senior   lead  ,\tjava\t", []string{"senior lead", "java"}},
		{"Senior, SENIOR, senior", []string{"Senior"}},
		{"удалёнка, Удаленка, УДАЛЁНКА", []string{"удалёнка"}},
		{"стажер,стажёр,стажёры", []string{"стажер", "стажёры"}},
	}
	for _, tt := range tests {
		if got := ParseExcludeWords(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("ParseExcludeWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatExcludeWords(t *testing.T) {
	words := []string{"senior lead", "1С", "стажёр"}
	s := FormatExcludeWords(words)
	if s != "senior lead, 1С, стажёр" {
		t.Errorf("FormatExcludeWords = %q", s)
	}
	if got := ParseExcludeWords(s); !slices.Equal(got, words) {
		t.Errorf("round trip = %q, want %q", got, words)
	}
	if FormatExcludeWords(nil) != "" {
		t.Error("no words should format as empty")
	}
}

func TestContainsFold(t *testing.T) {
	tests := []struct {
		haystack, needle string
		want             bool
	}{
		{"Senior Go Developer", "go dev", true},
		{"Senior Go Developer", "golang", false},
		{"Ведущий программист 1С", "1с", true},
		{"Ёлки-палки", "елки", true},
		{"ЕЛКИ", "ёлки", true},
		{"abc", "", true},
		{"", "a", false},
		{"ab", "abc", false},
	}
	for _, tt := range tests {
		if got := containsFold(tt.haystack, tt.needle); got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v, want %v", tt.haystack, tt.needle, got, tt.want)
		}
	}
}

// The fast paths of foldRune agree with unicode.ToLower (plus ё = е).
func TestFoldRuneFastPaths(t *testing.T) {
	for r := rune(0); r < 0x500; r++ {
		want := unicode.ToLower(r)
		if want == 'ё' {
			want = 'е'
		}
		if got := foldRune(r); got != want {
			t.Errorf("foldRune(%q) = %q, want %q", r, got, want)
		}
	}
}
