package hhsandbox

// areaNode is a node of the region tree served by GET /areas.
type areaNode struct {
	ID       string
	ParentID string // "" for a country
	Name     string
	Children []*areaNode
}

// areaTree is a realistic subset of hh's region tree with hh's real ids.
type areaTree struct {
	roots []*areaNode
	byID  map[string]*areaNode
}

// areaSeed lists the tree as (id, parent, name) in display order.
var areaSeed = [][3]string{
	{"113", "", "Россия"},
	{"1", "113", "Москва"},
	{"2", "113", "Санкт-Петербург"},
	{"2019", "113", "Московская область"},
	{"2034", "2019", "Химки"},
	{"2035", "2019", "Подольск"},
	{"2038", "2019", "Мытищи"},
	{"145", "113", "Ленинградская область"},
	{"2030", "145", "Гатчина"},
	{"1261", "113", "Свердловская область"},
	{"3", "1261", "Екатеринбург"},
	{"1202", "113", "Новосибирская область"},
	{"4", "1202", "Новосибирск"},
	{"1624", "113", "Республика Татарстан"},
	{"88", "1624", "Казань"},
	{"1679", "113", "Нижегородская область"},
	{"66", "1679", "Нижний Новгород"},
	{"1438", "113", "Краснодарский край"},
	{"53", "1438", "Краснодар"},
	{"237", "1438", "Сочи"},
	{"1530", "113", "Ростовская область"},
	{"76", "1530", "Ростов-на-Дону"},
	{"1586", "113", "Самарская область"},
	{"78", "1586", "Самара"},
	{"40", "", "Казахстан"},
	{"160", "40", "Алматы"},
	{"159", "40", "Астана"},
	{"16", "", "Беларусь"},
	{"1002", "16", "Минск"},
}

func newAreaTree() *areaTree {
	t := &areaTree{byID: map[string]*areaNode{}}
	for _, a := range areaSeed {
		n := &areaNode{ID: a[0], ParentID: a[1], Name: a[2]}
		t.byID[n.ID] = n
		if n.ParentID == "" {
			t.roots = append(t.roots, n)
		} else {
			p := t.byID[n.ParentID]
			p.Children = append(p.Children, n)
		}
	}
	return t
}

// within reports whether area id lies in the subtree rooted at ancestor.
func (t *areaTree) within(id, ancestor string) bool {
	for n := t.byID[id]; n != nil; n = t.byID[n.ParentID] {
		if n.ID == ancestor {
			return true
		}
	}
	return false
}

// country returns the id of the country that contains area id.
func (t *areaTree) country(id string) string {
	n := t.byID[id]
	for n != nil && n.ParentID != "" {
		n = t.byID[n.ParentID]
	}
	if n == nil {
		return ""
	}
	return n.ID
}

func (t *areaTree) name(id string) string {
	if n := t.byID[id]; n != nil {
		return n.Name
	}
	return ""
}

// wireArea is a node of GET /areas.
type wireArea struct {
	ID        string     `json:"id"`
	ParentID  *string    `json:"parent_id"`
	Name      string     `json:"name"`
	UTCOffset *string    `json:"utc_offset"`
	Areas     []wireArea `json:"areas"`
}

var utcOffsets = map[string]string{"113": "+03:00", "40": "+05:00", "16": "+03:00"}

func (t *areaTree) wire(n *areaNode) wireArea {
	w := wireArea{ID: n.ID, Name: n.Name, Areas: []wireArea{}}
	if n.ParentID != "" {
		p := n.ParentID
		w.ParentID = &p
	}
	if off, ok := utcOffsets[t.country(n.ID)]; ok {
		w.UTCOffset = &off
	}
	for _, c := range n.Children {
		w.Areas = append(w.Areas, t.wire(c))
	}
	return w
}
