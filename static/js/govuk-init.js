// GOV.UK Frontend components. A module script runs only where the components are supported.
import { initAll } from "/static/vendor/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
