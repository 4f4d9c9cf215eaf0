# Varnish in front of the ANKASAM app servers (docs/deploy.md): keeps readers' pages as long as the site's
# Cache-Control allows (s-maxage), never an editor's or a translator's, and forgets exactly the pages a save changed
# when an app server sends BAN with X-Ban-Keys (articles/pages/frontend.py), a regular expression matched against
# the Surrogate-Key header that lists what each page shows ("article:12 similar:12:en home:en site").
#
# Set the backends to your app servers (one line per server in the director) and the purgers ACL to their
# addresses. Start: varnishd -a :80 -f /etc/varnish/ankasam.vcl -s malloc,1G
vcl 4.1;

import directors;
import std;

backend app1 { .host = "127.0.0.1"; .port = "8000"; .probe = { .url = "/healthz"; .interval = 5s; .timeout = 2s; .window = 5; .threshold = 3; .initial = 3; } }

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new app_servers = directors.round_robin();
    app_servers.add_backend(app1);
}

sub vcl_recv {
    set req.backend_hint = app_servers.backend();
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.X-Ban-Keys) {
            return (synth(400, "X-Ban-Keys missing"));
        }
        # obj.http only: the ban lurker can apply it in the background as well as on the next lookup.
        if (std.ban("obj.http.Surrogate-Key ~ " + req.http.X-Ban-Keys)) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone with a session (editors, translators) or a pending message: always the app servers.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=" || req.http.Authorization) {
        return (pass);
    }
    # Readers' pages do not depend on cookies (analytics and the like would otherwise split the cache).
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Varnish's built-in rules already refuse Set-Cookie, private, no-cache and no-store responses; a page the site
    # marks public is kept for its s-maxage. The key list is kept on the object for bans.
    if (beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # What pages depend on is the site's business, not the readers'.
    unset resp.http.Surrogate-Key;
}
