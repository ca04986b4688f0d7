/* A paper's "Suggest a correction" link leads to contributing/?paper=<arXiv id>. Here it
   becomes a button to GitHub's web editor on that paper's correction file, prefilled: one
   short link per paper on day pages instead of a long prefilled URL each. */
(function () {
  var box = document.getElementById("dpa-fix");
  var id = new URLSearchParams(location.search).get("paper");
  if (!box || !id || !/^([0-9]{4}\.[0-9]{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?\/[0-9]{7})$/.test(id)) return;
  box.querySelector(".dpa-fix__id").textContent = id;
  // The file is named after the id with "/" as "_" (hep-th/9901001 -> hep-th_9901001.yaml).
  var editor = box.dataset.editor.split("filename=PAPER_ID").join("filename=" + id.split("/").join("_"));
  box.querySelector(".dpa-fix__link").href = editor.split("PAPER_ID").join(id);
  box.hidden = false;
})();
