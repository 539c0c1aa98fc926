/* insurable web app: progressive enhancement only (every form works without it). Loaded from /static
   so the CSP needs no inline script. A form with data-busy shows its busy note while the server works
   (a submit runs the whole assessment, about two seconds). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
  form.setAttribute("aria-busy", "true");
  var note = form.querySelector(".busy-note");
  if (note) note.hidden = false;
});
