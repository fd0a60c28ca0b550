package tasks

// TypeRulesReevaluate re-evaluates every open ticket after the correction rules changed
// (one task per rules version; see jobs).
const TypeRulesReevaluate = "rules:reevaluate"
