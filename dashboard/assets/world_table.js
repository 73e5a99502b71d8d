/* /world: the ranked table, drawn in the browser from its rows as compact data (the page
   callback's table_model, in dashboard/pages/world.py): the same elements as the server's
   table_children draws with the page. Registered with dash.clientside_callback under
   window.dash_clientside.milbal_world.table. */
(function () {
    "use strict";

    function el(type, children, props) {
        const all = Object.assign({}, props || {});
        if (children !== undefined) {
            all.children = children;
        }
        return {type: type, namespace: "dash_html_components", props: all};
    }

    function table(model) {
        if (!model) {
            return window.dash_clientside.no_update;
        }
        const caption = el("Caption", model.caption);
        if (!model.head) {
            return [caption];
        }
        const heads = ["Rank", "Country", model.head, "Each source"];
        const rows = model.rows.map(function (row) {
            const [position, code, name, value, sources, offMap] = row;
            const link = el("A", name + " (" + code + ")", {
                href: "/compare?a=" + encodeURIComponent(code),
            });
            return el(
                "Tr",
                [
                    el("Td", String(position)),
                    el("Th", offMap ? [link, " (not on the map)"] : [link], {scope: "row"}),
                    el("Td", value),
                    el("Td", sources),
                ],
                {id: "world-row-" + code}
            );
        });
        return [
            caption,
            el("Thead", el("Tr", heads.map(function (h) { return el("Th", h, {scope: "col"}); }))),
            el("Tbody", rows),
        ];
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.milbal_world = {table: table};
})();
