// Package activitypub is Herald's microblog channel on the fediverse: the
// site, optionally each column, and each language other than the site's that
// has published articles ("site_en") is an ActivityPub actor that Mastodon
// and other servers can follow. An article goes out from the actor of its
// language, or from the site's (and its column's) when it is in the site's
// own. Published articles go out as Create(Note), corrections as Update,
// retractions as Delete(Tombstone).
//
// The package holds the protocol and no storage: HTTP Signatures as
// Mastodon signs them (Sign, Verify), the vocabulary Herald serves and sends
// (Actor, Note, Activity, collections, WebFinger, NodeInfo) and lenient
// parsing of what others send (ParseActivity, ParseActor), the note an
// article becomes (NoteOf), RSA keys, an outbound Client with an address
// policy, and the HTTP endpoints (Handler), which reach the database through
// the Backend interface. Deliveries, including the Accept of a Follow, are
// handed to the Backend as Delivery values for its durable job queue; the
// job sends them with Client.Deliver and retries while Temporary says so.
//
// Interoperability is proven against Fedify, a real ActivityPub server, in
// interop_test.go (see internal/fedifytest). Fedify signs its first request
// to a server with RFC 9421 and falls back to draft-cavage when refused
// ("double-knocking"); Verify refuses RFC 9421 with 401, which is all that
// fallback needs, so Herald verifies one signature scheme, the one every
// fediverse server speaks.
package activitypub
