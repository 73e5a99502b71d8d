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

    function parts(model) {
        const made = [node("caption", model.caption)];
        if (model.head) {
            const heads = ["Rank", "Country", model.head, "Each source"];
            made.push(node("thead", node("tr", heads.map(function (h) {
                return node("th", h, {scope: "col"});
            }))));
            made.push(node("tbody", model.rows.map(row)));
        }
        const fragment = document.createDocumentFragment();
        fragment.append.apply(fragment, made);
        return fragment;
    }

    /* The clientside callback: the rows -> how many were drawn (only that it ran). Drawn by
       assets/plain.js's place(), which waits for the <table> if the page is still arriving. */
    function table(model) {
        if (!model) {
            return window.dash_clientside.no_update;
        }
        window.dash_clientside.milbal_plain.place("world-table", function () {
            return parts(model);
        });
        return model.head ? model.rows.length : 0;
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.milbal_world = {table: table};
})();
