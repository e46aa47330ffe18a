// Starts the GOV.UK Frontend components (error summary focus, details, buttons).
import { initAll } from '/static/build/govuk-frontend.min.js'
initAll()
