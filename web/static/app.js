// slaguard pages: a few lines of plain JavaScript, no build step.
"use strict";
