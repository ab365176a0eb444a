package hh

import "context"

// Dictionaries returns hh's reference lists (GET /dictionaries): experience,
// employment, schedule, currencies, search orders and the like. Read ids from
// here rather than hardcoding them; hh changes them.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Obshie-spravochniki/operation/get-dictionaries
func (c *Client) Dictionaries(ctx context.Context) (*Dictionaries, error) {
	var d Dictionaries
	if err := c.get(ctx, OpDictionaries, "dictionaries", nil, shapeDictionaries, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Areas returns hh's whole region tree (GET /areas): countries at the top,
// their regions and cities below.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Obshie-spravochniki/operation/get-areas
func (c *Client) Areas(ctx context.Context) ([]AreaNode, error) {
	var areas []AreaNode
	if err := c.get(ctx, OpAreas, "areas", nil, shapeAreas, &areas); err != nil {
		return nil, err
	}
	return areas, nil
}

// ProfessionalRoles returns hh's professional roles grouped by category (GET
// /professional_roles). Roles marked SearchDeprecated should not be offered
// in search forms.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Obshie-spravochniki/operation/get-professional-roles-dictionary
func (c *Client) ProfessionalRoles(ctx context.Context) (*ProfessionalRoles, error) {
	var pr ProfessionalRoles
	if err := c.get(ctx, OpProfessionalRoles, "professional_roles", nil, shapeProfessionalRoles, &pr); err != nil {
		return nil, err
	}
	return &pr, nil
}
