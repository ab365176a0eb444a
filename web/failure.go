package web

import "github.com/otklik/otklik/rules"

// failure is hh's refusal of an application told in the person's language,
// and whether «Повторить» is offered.
type failure = rules.Refusal

func explainFailure(reason, message, lang string) failure {
	return rules.ExplainRefusal(reason, message, lang)
}
