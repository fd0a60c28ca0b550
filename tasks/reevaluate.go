package tasks

// TypeReevaluate re-evaluates the open tickets a contract change touches (one task per
// contract version; see jobs).
const TypeReevaluate = "contract:reevaluate"
