/* /world: the ranked table, drawn in the browser from its rows as compact data (table_model
   in dashboard/pages/world.py, which the page callback sends: with its first call, as the page
   appears, then after each change), as plain elements inside the page's <table> rather than as Dash
   components: ~1,200 components (one per cell and link) made every later change of the page
   slower, since Dash's renderer visits each of them on every update. Registered with
   dash.clientside_callback under window.dash_clientside.milbal_world.table; its output (the
   number of rows drawn) only tells that it ran. Text is set as text, never parsed as HTML. */
(function () {
    "use strict";

    function node(tag, children, attributes) {
        const made = document.createElement(tag);
        Object.keys(attributes || {}).forEach(function (name) {
            made.setAttribute(name, attributes[name]);
        });
        (Array.isArray(children) ? children : [children]).forEach(function (child) {
            if (child === undefined || child === null) {
                return;
            }
            made.append(typeof child === "string" ? document.createTextNode(child) : child);
        });
        return made;
    }

    function row(cells) {
        const [position, code, name, value, sources, offMap] = cells;
        const link = node("a", name + " (" + code + ")", {
            href: "/compare?a=" + encodeURIComponent(code),
        });
        return node(
            "tr",
            [
                node("td", String(position)),
                node("th", offMap ? [link, " (not on the map)"] : [link], {scope: "row"}),
                node("td", value),
                node("td", sources),
            ],
            {id: "world-row-" + code}
        );
    }

    function draw(holder, model) {
        const parts = [node("caption", model.caption)];
        if (model.head) {
            const heads = ["Rank", "Country", model.head, "Each source"];
            parts.push(node("thead", node("tr", heads.map(function (h) {
                return node("th", h, {scope: "col"});
            }))));
            parts.push(node("tbody", model.rows.map(row)));
        }
        holder.replaceChildren.apply(holder, parts);
    }

    // The rows last given: Dash may call as the page's layout arrives, before React has put
    // the <table> in the document; the drawing then waits for it, a frame at a time, and
    // draws whatever rows are the latest by then.
    let latest = null;
    let waiting = false;

    function drawWhenThere(frames) {
        const holder = document.getElementById("world-table");
        if (holder) {
            waiting = false;
            draw(holder, latest);
        } else if (frames > 0) {
            requestAnimationFrame(function () { drawWhenThere(frames - 1); });
        } else {
            waiting = false;
        }
    }

    function table(model) {
        if (!model) {
            return window.dash_clientside.no_update;
        }
        latest = model;
        if (!waiting) {
            waiting = true;
            drawWhenThere(120);
        }
        return model.head ? model.rows.length : 0;
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.milbal_world = {table: table};
})();
