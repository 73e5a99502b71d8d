/* Accessibility repairs of the parts Dash and plotly.js draw themselves, applied as they
   appear (a MutationObserver), and the page title per path:
   - dropdowns: one tab stop, the button itself, named by the control's visible label and
     then its value ("Country A (attacker) Azerbaijan (AZE)"); Dash draws a hidden focus
     target before the button that is focusable while aria-hidden.
   - sliders: thumbs and their number boxes named by the control's label.
   - file inputs (/data): named by their drop zone's words.
   - chart toolbars: one tab stop each; the arrow keys move between the buttons.
   A control's label has the id "<control id>-label" (dashboard.components.control).
   Registered with dash.clientside_callback under window.dash_clientside.milbal_a11y. */
(function () {
    "use strict";

    /* The label of the control holding `element`: "<id>-label", or a <label for="<id>">
       (given that id), for the nearest enclosing element with an id that has one. */
    function labelOf(element) {
        let node = element.closest("[id]");
        while (node) {
            let label = document.getElementById(node.id + "-label");
            if (!label) {
                label = document.querySelector('label[for="' + CSS.escape(node.id) + '"]');
                if (label && !label.id) {
                    label.id = node.id + "-label";
                }
            }
            if (label) {
                return label;
            }
            node = node.parentElement && node.parentElement.closest("[id]");
        }
        return null;
    }

    function setAttr(element, name, value) {
        if (element.getAttribute(name) !== value) {
            element.setAttribute(name, value);
        }
    }

    function repairDropdowns(root) {
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
            setAttr(target, "tabindex", "-1");
        });
        root.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
            if (!button.disabled) {
                setAttr(button, "tabindex", "0");
            }
            const label = labelOf(button);
            if (label) {
                const value = document.getElementById(button.id + "-value");
                setAttr(button, "aria-labelledby", value ? label.id + " " + value.id : label.id);
            }
        });
    }

    function repairSliders(root) {
        root.querySelectorAll("[role=slider], input.dash-range-slider-input"
                              ).forEach(function (thumb) {
            const label = labelOf(thumb);
            if (label && !thumb.getAttribute("aria-label")) {
                setAttr(thumb, "aria-labelledby", label.id);
            }
        });
    }

    function repairUploads(root) {
        root.querySelectorAll("input[type=file]").forEach(function (input) {
            if (input.getAttribute("aria-label")) {
                return;
            }
            const zone = input.parentElement;
            const words = zone ? zone.innerText.trim().replace(/\s+/g, " ") : "";
            setAttr(input, "aria-label", words || "Choose a file");
        });
    }

    function repairToolbars(root) {
        root.querySelectorAll(".modebar").forEach(function (bar) {
            const buttons = bar.querySelectorAll(".modebar-btn");
            if (!buttons.length) {
                return;
            }
            let current = bar.querySelector(".modebar-btn[tabindex='0']");
            if (!current) {
                current = buttons[0];
            }
            buttons.forEach(function (button) {
                setAttr(button, "tabindex", button === current ? "0" : "-1");
            });
            setAttr(bar, "role", "toolbar");
            setAttr(bar, "aria-label", "Chart tools (arrow keys move between them)");
            if (!bar.dataset.milbalKeys) {
                bar.dataset.milbalKeys = "1";
                bar.addEventListener("keydown", moveInToolbar);
            }
        });
    }

    function moveInToolbar(event) {
        const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
        const ends = {Home: 0, End: -1}[event.key];
        if (step === undefined && ends === undefined) {
            return;
        }
        const buttons = Array.from(event.currentTarget.querySelectorAll(".modebar-btn"));
        const at = buttons.indexOf(document.activeElement);
        let next = step === undefined ? (ends === 0 ? 0 : buttons.length - 1)
            : (at + step + buttons.length) % buttons.length;
        buttons.forEach(function (button, i) {
            button.setAttribute("tabindex", i === next ? "0" : "-1");
        });
        buttons[next].focus();
        event.preventDefault();
    }

    function repair(root) {
        repairDropdowns(root);
        repairSliders(root);
        repairUploads(root);
        repairToolbars(root);
    }

    /* What a batch of changes may need repaired: the page, unless every change is inside a
       chart's drawing (plotly.js redraws thousands of SVG nodes, none of them a control, and
       its toolbar only when a graph is first drawn: a new .modebar is an HTML element). */
    function needsRepair(records) {
        return records.some(function (record) {
            const target = record.target;
            return !(target instanceof SVGElement);
        });
    }

    /* Repaired in the observer's callback (a microtask, before the next task or paint sees
       the new elements); the attributes it sets call it once more, to find nothing to do. */
    function start() {
        repair(document);
        new MutationObserver(function (records) {
            if (needsRepair(records)) {
                repair(document);
            }
        }).observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            attributeFilter: ["tabindex", "aria-labelledby"],
        });
    }

    /* The skip link moves focus to the page itself (not only the view), so that the next
       Tab reaches the page's first control; the URL keeps no "#page". */
    document.addEventListener("click", function (event) {
        const link = event.target.closest && event.target.closest(".skip-link");
        const main = document.getElementById("page");
        if (link && main) {
            event.preventDefault();
            main.focus();
        }
    });

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }

    /* The page's own title ("Force ratio - milbal") when Dash's router changes the path. */
    function title(pathname, titles) {
        const path = (pathname || "/").replace(/\/+$/, "") || "/";
        document.title = (titles && titles[path]) || "Page not found - milbal";
        return document.title;
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.milbal_a11y = {title: title};
})();
