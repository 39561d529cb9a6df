import { initAll } from "./govuk/govuk-frontend.min.js";
initAll();

for (const button of document.querySelectorAll("[data-casework-print]")) {
  button.addEventListener("click", () => window.print());
}
