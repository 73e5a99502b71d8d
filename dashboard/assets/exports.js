/* The download links and the embed snippet under each chart follow the chart: a page
   callback sends them inside the figure (layout.meta.milbal_exports, see
   dashboard.components.with_exports) rather than as six outputs of their own, and this
   script writes them into the links once plotly.js has drawn (or re-drawn) the figure.
   The page as first served carries them already. */
(function () {
    "use strict";

    function apply(gd) {
        const meta = gd.layout && gd.layout.meta && gd.layout.meta.milbal_exports;
        const holder = gd.closest("[id^='chart-']");
        if (!meta || !holder) {
            return;
        }
        const slug = holder.id.slice("chart-".length);
        Object.keys(meta.hrefs || {}).forEach(function (ext) {
            const link = document.getElementById("download-" + slug + "-" + ext);
            if (link && link.getAttribute("href") !== meta.hrefs[ext]) {
                link.setAttribute("href", meta.hrefs[ext]);
            }
        });
        const box = document.getElementById("embed-" + slug);
        if (box && typeof meta.embed === "string" && box.value !== meta.embed) {
            box.value = meta.embed;
        }
    }

    function watch(gd) {
        if (gd.milbalExports || typeof gd.on !== "function") {
            return;
        }
        gd.milbalExports = true;
        gd.on("plotly_afterplot", function () { apply(gd); });
        gd.on("plotly_react", function () { apply(gd); });
        apply(gd);
    }

    /* plotly.js gives a graph its `on` when it first draws it: look for new graphs after
       every change of the page (cheap: graphs are few), and give each its listeners once. */
    function scan() {
        document.querySelectorAll(".js-plotly-plot").forEach(watch);
    }

    function start() {
        scan();
        new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
