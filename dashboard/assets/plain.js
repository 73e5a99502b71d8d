/* Content drawn as plain elements rather than as Dash components (see
   dashboard.components.plain_ids): a tree of html components as the server builds them
   ({type, namespace: "dash_html_components", props}) arrives as the data of a dcc.Store, and
   this script draws it inside its holder, an element whose own children Dash never sets. A
   table of a few hundred cells drawn so costs Dash's renderer nothing on later changes of the
   page, where each of its components would be visited on every update.

   Only html components are drawn (a dcc component has behaviour a plain element has not: it
   is refused, with a message in the console). Text is set as text, never parsed as HTML;
   attributes are set by name, event handlers ("on...") never, and a link or source only where
   its address is http(s), mailto or on this site. */
(function () {
    "use strict";

    // Dash's names of attributes that differ from HTML's.
    const ATTRIBUTES = {
        className: "class",
        htmlFor: "for",
        colSpan: "colspan",
        rowSpan: "rowspan",
        tabIndex: "tabindex",
        accessKey: "accesskey",
        contentEditable: "contenteditable",
    };
    // Props of Dash's html components that are not attributes.
    const NOT_ATTRIBUTES = new Set([
        "children", "style", "n_clicks", "n_clicks_timestamp", "disable_n_clicks",
        "loading_state", "key", "setProps",
    ]);
    const ADDRESSES = new Set(["href", "src", "action", "formaction", "cite", "poster"]);
    const NAME = /^[a-zA-Z][a-zA-Z0-9_:.-]*$/;

    function safeAddress(value) {
        const text = String(value).trim();
        const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text);
        return !scheme || ["http", "https", "mailto"].includes(scheme[1].toLowerCase());
    }

    function build(node) {
        if (node === null || node === undefined || typeof node === "boolean") {
            return null;
        }
        if (typeof node === "string" || typeof node === "number") {
            return document.createTextNode(String(node));
        }
        if (Array.isArray(node)) {
            const fragment = document.createDocumentFragment();
            node.forEach(function (child) {
                const built = build(child);
                if (built) {
                    fragment.append(built);
                }
            });
            return fragment;
        }
        if (node.namespace !== "dash_html_components" || !NAME.test(node.type || "")) {
            throw new Error("milbal plain content: not an html component: " + node.type);
        }
        const made = document.createElement(node.type.toLowerCase());
        const props = node.props || {};
        Object.keys(props).forEach(function (prop) {
            const value = props[prop];
            if (NOT_ATTRIBUTES.has(prop) || value === null || value === undefined || value === false) {
                return;
            }
            const name = ATTRIBUTES[prop] || prop;
            if (!NAME.test(name) || /^on/i.test(name)) {
                return;
            }
            if (ADDRESSES.has(name.toLowerCase()) && !safeAddress(value)) {
                return;
            }
            made.setAttribute(name, value === true ? "" : String(value));
        });
        if (props.style && typeof props.style === "object") {
            Object.keys(props.style).forEach(function (key) {
                made.style[key] = props.style[key];
            });
        }
        const children = build(props.children);
        if (children) {
            made.append(children);
        }
        return made;
    }

    // What each holder is to show last: Dash may answer as a page's layout arrives, before
    // React has put the holder in the document; the drawing then waits for it, a frame at a
    // time, and draws whatever is the latest by then. `make` builds the holder's new children.
    const latest = {};
    const waiting = {};

    function drawWhenThere(holderId, frames) {
        const holder = document.getElementById(holderId);
        if (holder) {
            delete waiting[holderId];
            try {
                holder.replaceChildren(latest[holderId]() || "");
            } catch (error) {
                console.error(error.message);
            }
        } else if (frames > 0) {
            requestAnimationFrame(function () { drawWhenThere(holderId, frames - 1); });
        } else {
            delete waiting[holderId];
        }
    }

    function place(holderId, make) {
        latest[holderId] = make;
        if (!waiting[holderId]) {
            waiting[holderId] = true;
            drawWhenThere(holderId, 120);
        }
    }

    /* The clientside callback: (the store's tree, the holder's id) -> a count of drawings,
       which only tells that it ran. */
    function draw(tree, holderId) {
        if (tree === null || tree === undefined || !holderId) {
            return window.dash_clientside.no_update;
        }
        place(holderId, function () { return build(tree); });
        draw.count = (draw.count || 0) + 1;
        return draw.count;
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.milbal_plain = {draw: draw, build: build, place: place};
})();
