/* ims_parse.c -- drives libxml2's SAX2 push parser over an IMS file and feeds
 * the builder (ims_build.c). Owns everything about reading XML safely: no
 * network, no DTD loading, no entities, a depth cap, the first fatal error
 * with its line and column and a hint, and the optional streaming schema
 * validation of `check --strict`. */
#include "config.h"
#include "ims_parse.h"
#include "ims_build.h"
#include "ims_events.h"
#include "ims_excerpt.h"
#include "ims_repair.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlschemas.h>

/* The file is read 512 KiB at a time and fed to libxml2 in pieces of
 * 64 KiB: the excerpt (the last two reads) then still holds the text of
 * every event the pipeline's builder has not read yet (see run). The
 * pipeline's queue holds 1 MiB of events. Larger reads and queues were
 * measured: no faster, and they count against the memory target. */
#define READ_SIZE (512 * 1024)
#define FEED_SIZE (64 * 1024)
#define EVENT_BLOCK_SIZE (64 * 1024)
#define EVENT_BLOCKS 16
#define NAME_CACHE 256

void ims_parse_options_init(ims_parse_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->max_field = 64 * 1024;
	opt->max_extension = 1024 * 1024;
	opt->max_depth = 256;
}

/* A fatal error of libxml2's that waits for the builder to catch up. */
typedef struct deferred_error {
	bool set;
	bool has_message;
	int code, line, col;
} deferred_error;

typedef struct parser {
	xmlParserCtxtPtr ctxt;
	ims_builder *b;
	ims_model *m;
	uint32_t file;
	const char *name;
	const ims_parse_options *opt;
	ptrmap names;               /* libxml2's interned local name -> name id + flags */
	struct {
		const xmlChar *local;
		uintptr_t value;
	} name_cache[NAME_CACHE];   /* in front of names (lookup_name) */
	const xmlChar *root_uri;    /* namespace of the root element (may be NULL) */
	bool root_started;

	errinfo cb_err;             /* filled by the builder when it refuses */

	/* the first message libxml2 raised outside the parser's own channel
	 * (an encoding conversion that failed), which it would print */
	strbuf outside_error;

	/* the first fatal problem */
	bool failed;
	int err_code;               /* libxml2 error code, or 0 for our own refusals */
	int err_line, err_col;
	uint64_t err_upto;          /* the excerpt quotes the file up to here */
	strbuf err;
	uint64_t feed_end;          /* offset in the file of the end of the piece being fed */

	/* schema validation (strict) */
	strbuf *schema_errors;
	int schema_error_count;

	/* original text kept for the excerpt around an error */
	ims_repairer *repair;
	ims_excerpt excerpt;

	/* the pipeline: this thread parses and writes events, another reads
	 * them and builds the model (NULL when one thread does both) */
	ims_events *events;
	char *ev_block, *ev_at, *ev_end;   /* the block being written (NULL: none) */
	uint64_t ev_handed;         /* bytes in the blocks handed over */
	uint8_t *scopes;            /* ims_build_scope of each open element ... */
	int scope_depth;            /* ... [0] the document's */
	int scope_overflow;         /* open elements deeper than scopes holds */
	int scope_cap;              /* max_depth + 1 */
	uint8_t scope_of[256][IMS_NAME_COUNT];  /* ims_build_scope's answers, 0 unknown */
	bool building_elsewhere;    /* the builder's thread is running */
	ims_loc event_loc;          /* the builder's thread: where its event happened */
	bool builder_failed;        /* the builder's thread refused the file ... */
	ims_loc builder_fail_loc;   /* ... at this event ... */
	uint64_t builder_upto;      /* ... which libxml2 made with the file read to here */
	pthread_t builder_thread;
	deferred_error deferred;
	strbuf deferred_message;
} parser;

/* ---- positions and errors ---------------------------------------------------- */

static ims_loc current_loc(parser *p)
{
	int line = xmlSAX2GetLineNumber(p->ctxt);
	int col = xmlSAX2GetColumnNumber(p->ctxt);
	ims_repair_map_position(p->repair, &line, &col);
	return (ims_loc){ p->file, (uint32_t)(line > 0 ? line : 0), (uint32_t)(col > 0 ? col : 0) };
}

/* The builder's locator: libxml2's position, or with the pipeline the
 * position libxml2 had when the event being built happened. */
static ims_loc locate(void *ctx)
{
	parser *p = ctx;
	return p->building_elsewhere ? p->event_loc : current_loc(p);
}

static void fail_at(parser *p, int code, int line, int col, const char *msg)
{
	if (p->failed)
		return;
	p->failed = true;
	p->err_code = code;
	p->err_line = line;
	p->err_col = col;
	p->err_upto = p->feed_end;
	sb_reset(&p->err);
	sb_adds(&p->err, msg);
	while (p->err.len && (p->err.buf[p->err.len - 1] == '\n' || p->err.buf[p->err.len - 1] == ' '))
		p->err.buf[--p->err.len] = '\0';
	/* one line: libxml2 puts the offending bytes of an encoding error on a
	 * second line ("...indicate encoding !\nBytes: 0xE5 0x72") */
	for (size_t i = 0; i < p->err.len; i++)
		if (p->err.buf[i] == '\n')
			p->err.buf[i] = ' ';
}

/* Refuses the file for a reason of our own (policy, not XML), at the current
 * position, and stops libxml2. */
static void refuse(parser *p, const char *msg)
{
	ims_loc loc = current_loc(p);
	fail_at(p, 0, (int)loc.line, (int)loc.col, msg);
	xmlStopParser(p->ctxt);
}

/* libxml2 reports a bare '&' where it gave up reading the reference: after
 * the name in "R&D<", at the space in "Smith & Sons"; an undefined entity
 * after its ';'. The characters back to the '&' on the same line, so that
 * the column names the '&' itself (and agrees with the column --repair
 * ampersand reports for it). */
static int chars_since_ampersand(xmlParserCtxtPtr ctxt)
{
	const xmlChar *base, *cur;
	if (!ctxt || !ctxt->input || !ctxt->input->base || !ctxt->input->cur)
		return 0;
	base = ctxt->input->base;
	cur = ctxt->input->cur;
	int chars = 0;
	for (const xmlChar *q = cur; q > base && cur - q < 256;) {
		q--;
		if (*q == '\n')
			return 0;
		if ((*q & 0xC0) != 0x80)
			chars++;
		if (*q == '&')
			return chars;
	}
	return 0;
}

/* A fatal error of libxml2's at line:col, in words for the file's owner. */
static void libxml_error(parser *p, int code, int line, int col, const char *message)
{
	if ((code == XML_ERR_DOCUMENT_END || code == XML_ERR_DOCUMENT_EMPTY) && !p->root_started) {
		/* libxml2 calls a file without any element "extra content" too */
		fail_at(p, 0, line, col,
			"the file has no root element (only whitespace, an XML declaration or "
			"comments): an empty extract is an export failure far more often than a "
			"real empty term");
	} else if ((code == XML_ERR_DOCUMENT_END || code == XML_ERR_DOCUMENT_EMPTY) &&
		   ims_build_depth(p->b) > 0) {
		/* libxml2's push mode calls an unclosed document "extra content" */
		char open[256], msg[400];
		ims_build_open_path(p->b, open, sizeof open);
		snprintf(msg, sizeof msg, "the file ends inside <%s>: it is truncated", open);
		fail_at(p, XML_ERR_TAG_NOT_FINISHED, line, col, msg);
	} else if (code == XML_ERR_RESERVED_XML_NAME && p->root_started && ims_build_depth(p->b) == 0) {
		/* not whitespace before the declaration: a second document
		 * after the first one's root (§8 #16), which no repair mends */
		fail_at(p, XML_ERR_DOCUMENT_END, line, col,
			"a second XML declaration after the end of the root element: the file "
			"holds two documents");
	} else if (code == XML_ERR_INTERNAL_ERROR && message && strstr(message, "Huge input lookup")) {
		/* libxml2's cap on one attribute value or name (§8 #23) */
		fail_at(p, code, line, col,
			"an attribute value or a name is longer than libxml2 reads (10 MB); "
			"refused as hostile");
	} else {
		fail_at(p, code, line, col, message ? message : "XML error");
	}
}

static void on_structured_error(void *user, xmlErrorPtr err)
{
	parser *p = user;
	if (!err || err->domain == XML_FROM_SCHEMASV || err->domain == XML_FROM_SCHEMASP)
		return;
	/* With --strict the schema's SAX plug sits in between: user is then its
	 * context, so find the parser through libxml2's context */
	if (err->ctxt && ((xmlParserCtxtPtr)err->ctxt)->_private)
		p = ((xmlParserCtxtPtr)err->ctxt)->_private;
	/* An undeclared entity is only a warning when a DOCTYPE names an external
	 * DTD; its reference would then vanish silently. Refuse it too. */
	if (err->level == XML_ERR_FATAL || err->code == XML_WAR_UNDECLARED_ENTITY) {
		int line = err->line, col = err->int2;
		if (err->code == XML_ERR_NAME_REQUIRED || err->code == XML_ERR_ENTITYREF_SEMICOL_MISSING ||
		    err->code == XML_ERR_UNDECLARED_ENTITY || err->code == XML_WAR_UNDECLARED_ENTITY)
			col -= chars_since_ampersand(p->ctxt);
		ims_repair_map_position(p->repair, &line, &col);
		if (p->events) {
			/* the words depend on the model built so far, which the
			 * other thread is still building: decided after the join */
			if (!p->failed) {
				p->failed = true;
				p->deferred = (deferred_error){ true, err->message != NULL, err->code, line, col };
				sb_reset(&p->deferred_message);
				if (err->message)
					sb_adds(&p->deferred_message, err->message);
			}
		} else {
			libxml_error(p, err->code, line, col, err->message);
		}
		xmlStopParser(p->ctxt);
	}
}

/* Keeps msg in sb, without its trailing newline, unless sb holds a
 * message already (libxml2's first one says the most). */
static void keep_first_message(strbuf *sb, const char *msg)
{
	if (sb->len || !msg)
		return;
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	sb_add(sb, msg, n);
}

/* Errors libxml2 raises without the parser's context (the conversion
 * from a declared encoding failing on a byte) and its bare generic
 * messages ("xmlParseChunk: encoder error") would go to standard error as
 * they are: the first is kept for the refusal, the rest dropped. */
static void on_outside_error(void *user, xmlErrorPtr err)
{
	parser *p = user;
	if (err)
		keep_first_message(&p->outside_error, err->message);
}

static void on_generic_error(void *user, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void on_generic_error(void *user, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	parser *p = user;
	keep_first_message(&p->outside_error, msg);
}

static void on_schema_error(void *user, xmlErrorPtr err)
{
	parser *p = user;
	int line = err->line, col = err->int2;
	if (!p->schema_errors)
		return;
	ims_repair_map_position(p->repair, &line, &col);
	p->schema_error_count++;
	if (p->schema_error_count > 200) {
		if (p->schema_error_count == 201)
			sb_addf(p->schema_errors, "%s: ... further schema deviations not listed\n", p->name);
		return;
	}
	/* streaming validation knows the line, not the column */
	if (col > 0)
		sb_addf(p->schema_errors, "%s:%d:%d: %s", p->name, line, col,
			err->message ? err->message : "schema deviation\n");
	else
		sb_addf(p->schema_errors, "%s:%d: %s", p->name, line,
			err->message ? err->message : "schema deviation\n");
	if (p->schema_errors->len && p->schema_errors->buf[p->schema_errors->len - 1] != '\n')
		sb_addc(p->schema_errors, '\n');
}

/* Gives the schema validator the current line (streaming validation has no
 * node to take it from). */
/* Keeps the first message of a failure to load the schema (libxml2 would
 * print them all on standard error). */
static void on_schema_load_error(void *user, xmlErrorPtr err)
{
	if (err)
		keep_first_message(user, err->message);
}

static int schema_locator(void *user, const char **file, unsigned long *line)
{
	parser *p = user;
	if (file)
		*file = p->name;
	if (line)
		*line = p->ctxt ? (unsigned long)xmlSAX2GetLineNumber(p->ctxt) : 0;
	return 0;
}

/* ---- hardening callbacks ------------------------------------------------------- */

static void on_entity_decl(void *user, const xmlChar *name, int type, const xmlChar *publicId,
			   const xmlChar *systemId, xmlChar *content)
{
	parser *p = user;
	char msg[512];
	snprintf(msg, sizeof msg,
		 "the document type declaration declares the entity '%s'; entities are refused "
		 "(they can read local files or expand without bound, and no IMS producer needs them)",
		 (const char *)name);
	refuse(p, msg);
}

static void on_unparsed_entity_decl(void *user, const xmlChar *name, const xmlChar *publicId,
				    const xmlChar *systemId, const xmlChar *notationName)
{
	on_entity_decl(user, name, 0, publicId, systemId, NULL);
}

static void on_attribute_decl(void *user, const xmlChar *elem, const xmlChar *fullname, int type,
			      int def, const xmlChar *defaultValue, xmlEnumerationPtr tree)
{
	parser *p = user;
	char msg[512];
	snprintf(msg, sizeof msg,
		 "the document type declaration declares attributes of <%s> (<!ATTLIST>); refused, "
		 "since attribute defaults would change records the file does not show",
		 (const char *)elem);
	xmlFreeEnumeration(tree);
	refuse(p, msg);
}

static void on_reference(void *user, const xmlChar *name)
{
	parser *p = user;
	char msg[512];
	snprintf(msg, sizeof msg,
		 "entity reference &%s; is not allowed (only &amp; &lt; &gt; &quot; &apos; and "
		 "character references such as &#233; are)", (const char *)name);
	refuse(p, msg);
}

/* ---- element callbacks ------------------------------------------------------------ */

/* Name ids are cached per libxml2 name pointer (libxml2 interns names in
 * its dictionary): value = (id << 1 | exact) + 1. A file uses a few dozen
 * names, packed together in the dictionary's pool, so a small table indexed
 * by the pointer's low bits answers nearly every element with one compare;
 * the map behind it holds them all. */
static __attribute__((noinline)) uintptr_t lookup_name_slow(parser *p, const xmlChar *local, size_t slot)
{
	uintptr_t v = (uintptr_t)ptrmap_get(&p->names, local);
	if (!v) {
		bool exact;
		int id = ims_name_lookup((const char *)local, &exact);
		v = ((uintptr_t)id << 1 | (exact ? 1 : 0)) + 1;
		ptrmap_put(&p->names, local, (void *)v);
	}
	p->name_cache[slot].local = local;
	p->name_cache[slot].value = v;
	return v;
}

static inline int lookup_name(parser *p, const xmlChar *local, bool *exact)
{
	size_t slot = ((uintptr_t)local >> 2) % NAME_CACHE;
	uintptr_t v = p->name_cache[slot].local == local ? p->name_cache[slot].value :
		      lookup_name_slow(p, local, slot);
	v -= 1;
	*exact = v & 1;
	return (int)(v >> 1);
}

/* Without entity substitution libxml2 hands an '&' in an attribute value
 * (written &amp; or &#38;) over as the five characters "&#38;", its only
 * escape there: copies v[0..n) into out undoing it, and returns the length. */
static size_t unescape_attr_value(const char *v, size_t n, char *out)
{
	size_t k = 0;
	for (size_t j = 0; j < n; j++) {
		out[k++] = v[j];
		if (v[j] == '&' && n - j >= 5 && memcmp(v + j, "&#38;", 5) == 0)
			j += 4;
	}
	return k;
}

static void start_root(parser *p, const xmlChar *uri)
{
	if (!p->root_started) {
		p->root_started = true;
		p->root_uri = uri;
	}
}

static bool in_root_namespace(const parser *p, const xmlChar *uri)
{
	return uri == p->root_uri || (uri && p->root_uri && xmlStrEqual(uri, p->root_uri));
}

static void on_start(void *user, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
		     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
		     int nb_defaulted, const xmlChar **attributes)
{
	parser *p = user;
	ims_attr few[32], *attrs = few;
	char *few_decoded[32], **decoded = few_decoded;
	size_t nattrs = 0;
	bool exact;

	if (p->failed)
		return;
	start_root(p, uri);
	/* Defaulted attributes come last; they only exist through a DTD, which
	 * we refuse, so they are ignored here as a second line of defence. */
	int given = nb_attributes - nb_defaulted;
	size_t ndecoded = 0;
	/* every attribute: one dropped could be the roletype or recstatus */
	if (given > (int)ARRAY_LEN(few)) {
		attrs = xmalloc((size_t)given * sizeof *attrs);
		decoded = xmalloc((size_t)given * sizeof *decoded);
	}
	for (int i = 0; i < given; i++) {
		const char *v = (const char *)attributes[5 * i + 3];
		size_t n = (size_t)(attributes[5 * i + 4] - attributes[5 * i + 3]);
		if (memchr(v, '&', n)) {
			char *d = xmalloc(n + 1);
			n = unescape_attr_value(v, n, d);
			d[n] = '\0';
			decoded[ndecoded++] = d;
			v = d;
		}
		attrs[nattrs].name = (const char *)attributes[5 * i];
		attrs[nattrs].value = v;
		attrs[nattrs].len = n;
		nattrs++;
	}
	int name = lookup_name(p, local, &exact);
	int rc = ims_build_start(p->b, (const char *)local, name, exact, in_root_namespace(p, uri),
				 attrs, nattrs, &p->cb_err);
	for (size_t i = 0; i < ndecoded; i++)
		free(decoded[i]);
	if (attrs != few) {
		free(attrs);
		free(decoded);
	}
	if (rc < 0)
		refuse(p, p->cb_err.msg);
}

static void on_end(void *user, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	parser *p = user;
	if (p->failed)
		return;
	if (ims_build_end(p->b, &p->cb_err) < 0)
		refuse(p, p->cb_err.msg);
}

static void on_text(void *user, const xmlChar *text, int len)
{
	parser *p = user;
	if (p->failed)
		return;
	if (ims_build_text(p->b, (const char *)text, (size_t)len, &p->cb_err) < 0)
		refuse(p, p->cb_err.msg);
}

/* ---- the pipeline ------------------------------------------------------------------ */

/* On a machine with two CPUs the model is built by a second thread while
 * libxml2 parses: the callbacks below write each event into a queue
 * (ims_events.c), with the position libxml2 had when it happened, and
 * build_events reads them and calls the same ims_build_* functions in the
 * same order. What is refused, where, and the model are those of one
 * thread; only the clock time differs (0.66 s -> 0.46 s on a university,
 * doc/PERFORMANCE.md). libxml2 itself is then most of the parsing thread's
 * work, so what the callbacks do per element is kept to a few dozen
 * instructions: the text the builder would ignore is never copied. */

enum { EV_START = 1, EV_TEXT, EV_END, EV_PIECE };
enum { EVF_EXACT = 1, EVF_SAME_NS = 2, EVF_LOCAL = 4 };

/* An event in the queue, with libxml2's line and column. EV_START is
 * followed by the local name's pointer when the name is not an IMS one in
 * its standard spelling (EVF_LOCAL; libxml2's dictionary keeps it for the
 * whole parse), an event_attr per attribute, and the attributes' values one
 * after the other; EV_TEXT by its bytes; EV_PIECE by the offset (uint64_t)
 * up to which libxml2 had been given the file when the events after it
 * happened (an error's excerpt quotes no further). Each event takes a
 * multiple of 8 bytes. */
typedef struct event {
	uint8_t kind;
	uint8_t name;               /* EV_START: enum ims_name */
	uint8_t flags;              /* EV_START: EVF_* */
	uint8_t unused;
	uint32_t len;               /* EV_START: attributes; EV_TEXT: bytes */
	uint32_t line, col;
} event;

typedef struct event_attr {
	const char *name;           /* libxml2's dictionary's */
	size_t len;                 /* of the value */
} event_attr;

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)
/* text is cut into pieces no longer than this (the builder appends them) */
#define EVENT_TEXT_MAX (EVENT_BLOCK_SIZE / 2)

static size_t start_event_size(bool local, size_t nattrs, size_t values)
{
	return sizeof(event) + (local ? sizeof(const char *) : 0) + nattrs * sizeof(event_attr) +
	       ALIGN8(values);
}

/* libxml2's position now (the pipeline runs only without --repair, whose
 * mapping of positions current_loc applies; in a callback libxml2 always
 * has an input). As libxml2 has it: build_events reads it as current_loc
 * does (event_loc). */
static inline void event_position(const parser *p, event *ev)
{
	const xmlParserInputPtr in = p->ctxt->input;
	ev->line = (uint32_t)in->line;
	ev->col = (uint32_t)in->col;
}

/* The position of an event as current_loc gives it: libxml2's line and
 * column are ints, and one below 1 (none) is 0. */
static inline ims_loc event_loc(const parser *p, const event *ev)
{
	return (ims_loc){ p->file, (int32_t)ev->line > 0 ? ev->line : 0,
			  (int32_t)ev->col > 0 ? ev->col : 0 };
}

/* Hands the block being written over to the builder's thread. */
static void flush_events(parser *p)
{
	if (p->ev_block) {
		ims_events_hand_over(p->events, (size_t)(p->ev_at - p->ev_block));
		p->ev_handed += (uint64_t)(p->ev_at - p->ev_block);
	}
	p->ev_block = p->ev_at = p->ev_end = NULL;
}

/* Starts a new block with room for n bytes. Once the builder's thread has
 * refused the file, the rest goes nowhere. */
static void next_event_block(parser *p, size_t n)
{
	size_t room;
	flush_events(p);
	p->ev_block = p->ev_at = ims_events_block(p->events, n, &room);
	p->ev_end = p->ev_block + room;
	/* (libxml2 is not stopped here: that frees the text a callback may be
	 * copying; the callbacks return at once from now on, and run stops
	 * feeding it after this piece) */
	if (ims_events_abandoned(p->events) && !p->failed)
		fail_at(p, 0, 0, 0, "refused by the builder"); /* its message replaces this (join_builder) */
}

/* n bytes for an event in the block being written. */
static inline char *reserve_event(parser *p, size_t n)
{
	if (!p->ev_block || (size_t)(p->ev_end - p->ev_at) < n)
		next_event_block(p, n);
	char *at = p->ev_at;
	p->ev_at += n;
	return at;
}

/* Notes that libxml2 is about to read the file up to offset end. */
static void piece_event(parser *p, uint64_t end)
{
	p->feed_end = end;
	if (!p->events || p->failed)
		return;
	char *at = reserve_event(p, sizeof(event) + sizeof end);
	*(event *)(void *)at = (event){ .kind = EV_PIECE };
	memcpy(at + sizeof(event), &end, sizeof end);
}

/* Writes a start event's head (and the local name when needed) with room
 * for nattrs attributes whose values take up to `values` bytes, and opens
 * the element's scope; returns where the attributes go. */
static inline __attribute__((always_inline)) char *start_event(parser *p, const xmlChar *local,
							       const xmlChar *uri, int nattrs, size_t values)
{
	bool exact;
	int name = lookup_name(p, local, &exact);
	/* an IMS name in its standard spelling is known by its number alone */
	bool with_local = !exact || name == IMS_NAME_UNKNOWN;
	size_t head = sizeof(event) + (with_local ? sizeof local : 0);
	char *at = reserve_event(p, start_event_size(with_local, (size_t)nattrs, values));
	event *ev = (event *)(void *)at;
	*ev = (event){ .kind = EV_START, .name = (uint8_t)name,
		       .flags = (uint8_t)((exact ? EVF_EXACT : 0) | (in_root_namespace(p, uri) ? EVF_SAME_NS : 0) |
					  (with_local ? EVF_LOCAL : 0)),
		       .len = (uint32_t)nattrs };
	event_position(p, ev);
	if (with_local)
		memcpy(at + sizeof *ev, &local, sizeof local);
	/* deeper than the builder allows it refuses the file: only counted */
	if (p->scope_depth < p->scope_cap) {
		int parent = p->scopes[p->scope_depth];
		uint8_t *known = &p->scope_of[parent][name];
		if (!*known)   /* no element has the document's scope, 0 */
			*known = (uint8_t)ims_build_scope(parent, name);
		p->scopes[++p->scope_depth] = *known;
	} else {
		p->scope_overflow++;
	}
	return at + head;
}

/* A start event with attributes: each one's name and value, the value
 * with libxml2's "&#38;" undone (as on_start does). */
static __attribute__((noinline)) void start_event_with_attributes(parser *p, const xmlChar *local,
								  const xmlChar *uri, int given,
								  const xmlChar **attributes)
{
	size_t values = 0;
	for (int i = 0; i < given; i++)
		values += (size_t)(attributes[5 * i + 4] - attributes[5 * i + 3]);
	event_attr *ea = (event_attr *)(void *)start_event(p, local, uri, given, values);
	char *first = (char *)(ea + given), *value = first;
	for (int i = 0; i < given; i++) {
		const char *v = (const char *)attributes[5 * i + 3];
		size_t n = (size_t)(attributes[5 * i + 4] - attributes[5 * i + 3]);
		ea[i].name = (const char *)attributes[5 * i];
		if (memchr(v, '&', n)) {
			ea[i].len = unescape_attr_value(v, n, value);
		} else {
			memcpy(value, v, n);
			ea[i].len = n;
		}
		value += ea[i].len;
	}
	/* the event is the last one written: the bytes the unescaping saved
	 * go back, so that its size is start_event_size of what it holds */
	p->ev_at -= ALIGN8(values) - ALIGN8((size_t)(value - first));
}

static void on_start_event(void *user, const xmlChar *local, const xmlChar *prefix,
			   const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
			   int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	parser *p = user;
	if (p->failed)
		return;
	start_root(p, uri);
	/* as on_start: defaulted attributes (from a DTD, refused) are left out */
	int given = nb_attributes - nb_defaulted;
	if (given > 0)
		start_event_with_attributes(p, local, uri, given, attributes);
	else
		start_event(p, local, uri, 0, 0);
}

static void on_end_event(void *user, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	parser *p = user;
	if (p->failed)
		return;
	event *ev = (event *)(void *)reserve_event(p, sizeof *ev);
	*ev = (event){ .kind = EV_END };
	event_position(p, ev);
	if (p->scope_overflow > 0)
		p->scope_overflow--;
	else if (p->scope_depth > 0)
		p->scope_depth--;
}

/* Hands text over, in pieces no longer than EVENT_TEXT_MAX. */
static __attribute__((noinline)) void text_events(parser *p, const xmlChar *text, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t piece = n - done < EVENT_TEXT_MAX ? n - done : EVENT_TEXT_MAX;
		char *at = reserve_event(p, sizeof(event) + ALIGN8(piece));
		event *ev = (event *)(void *)at;
		*ev = (event){ .kind = EV_TEXT, .len = (uint32_t)piece };
		event_position(p, ev);
		memcpy(at + sizeof *ev, text + done, piece);
		done += piece;
	}
}

static void on_text_event(void *user, const xmlChar *text, int len)
{
	parser *p = user;
	/* most text is the indentation between elements, which the builder
	 * does not read: it is not handed over (and this test is all most
	 * calls cost) */
	if (p->scopes[p->scope_depth] == IMS_SCOPE_TEXT && !p->failed)
		text_events(p, text, (size_t)len);
}

/* The builder's thread: reads the events in order and builds. On a refusal
 * it abandons the queue: the parsing thread sees it at its next block and
 * feeds libxml2 no more. */
static void *build_events(void *arg)
{
	parser *p = arg;
	ims_attr few[32], *attrs = few;
	size_t attrs_cap = ARRAY_LEN(few);
	const char *block;
	size_t len;

	while ((block = ims_events_take(p->events, &len))) {
		for (size_t off = 0; off < len;) {
			const event *ev = (const event *)(const void *)(block + off);
			int rc = 0;
			p->event_loc = event_loc(p, ev);
			switch (ev->kind) {
			case EV_START: {
				bool with_local = ev->flags & EVF_LOCAL;
				const char *local = ims_name_string(ev->name);
				if (with_local)
					memcpy(&local, ev + 1, sizeof local);
				const event_attr *ea = (const event_attr *)(const void *)
					((const char *)(ev + 1) + (with_local ? sizeof local : 0));
				const char *value = (const char *)(ea + ev->len);
				size_t values = 0;
				if (ev->len > attrs_cap) {
					if (attrs != few)
						free(attrs);
					attrs = xmalloc(ev->len * sizeof *attrs);
					attrs_cap = ev->len;
				}
				for (uint32_t i = 0; i < ev->len; i++) {
					attrs[i] = (ims_attr){ ea[i].name, value + values, ea[i].len };
					values += ea[i].len;
				}
				rc = ims_build_start(p->b, local, ev->name, ev->flags & EVF_EXACT,
						     ev->flags & EVF_SAME_NS, attrs, ev->len, &p->cb_err);
				off += start_event_size(with_local, ev->len, values);
				break;
			}
			case EV_TEXT:
				rc = ims_build_text(p->b, (const char *)(ev + 1), ev->len, &p->cb_err);
				off += sizeof *ev + ALIGN8(ev->len);
				break;
			case EV_PIECE:
				memcpy(&p->builder_upto, ev + 1, sizeof p->builder_upto);
				off += sizeof *ev + sizeof p->builder_upto;
				break;
			default:
				rc = ims_build_end(p->b, &p->cb_err);
				off += sizeof *ev;
				break;
			}
			if (rc < 0) {
				p->builder_failed = true;
				p->builder_fail_loc = p->event_loc;
				ims_events_abandon(p->events);
				goto out;
			}
		}
		ims_events_give_back(p->events);
	}
out:
	if (attrs != few)
		free(attrs);
	return NULL;
}

/* Whether this parse builds the model in a second thread: on two CPUs or
 * more, unless asked not to. Not with --repair (its position mapping grows
 * as the file is read) nor --strict: libxml2 would validate past a refusal
 * of the builder's before it hears of it, and the deviations listed with
 * the refusal would be more than one thread lists (found by make fuzz). */
static bool want_pipeline(const parser *p)
{
	if (p->repair || p->opt->strict || p->opt->threads == 1)
		return false;
	if (p->opt->threads >= 2)
		return true;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

static void init_handler(xmlSAXHandler *h, bool pipeline)
{
	/* Built from scratch: none of libxml2's tree-building SAX2 callbacks, so
	 * no DOM and no DTD processing happen behind our back. */
	memset(h, 0, sizeof *h);
	h->initialized = XML_SAX2_MAGIC;
	h->startElementNs = pipeline ? on_start_event : on_start;
	h->endElementNs = pipeline ? on_end_event : on_end;
	h->characters = pipeline ? on_text_event : on_text;
	/* the same callback: libxml2 then never asks whether text is blank */
	h->ignorableWhitespace = h->characters;
	h->cdataBlock = h->characters;
	h->reference = on_reference;
	h->entityDecl = on_entity_decl;
	h->unparsedEntityDecl = on_unparsed_entity_decl;
	h->attributeDecl = on_attribute_decl;
	h->serror = on_structured_error;
}

/* ---- error message ------------------------------------------------------------------ */

static const char *hint_for(parser *p)
{
	switch (p->err_code) {
	case XML_ERR_NAME_REQUIRED:
	case XML_ERR_ENTITYREF_SEMICOL_MISSING:
		return "a bare '&' is not XML: the exporter should write it as '&amp;'. If it "
		       "cannot, read such files with --repair ampersand (configuration: [files] repair = "
		       "ampersand), which reads a '&' that starts no reference as a literal '&' and "
		       "lists every repair in the reports";
	case XML_ERR_RESERVED_XML_NAME:
		return "there is text or whitespace before '<?xml': the XML declaration must be the "
		       "very first thing in the file. If the exporter cannot be fixed, read such files "
		       "with --repair leading-space (configuration: [files] repair = leading-space)";
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
		return "HTML entities such as &nbsp; or &eacute; are not XML: the exporter should "
		       "write the characters themselves, or references such as &#233;";
	case XML_ERR_INVALID_CHAR:
	case XML_ERR_INVALID_ENCODING:
		return "the bytes do not match the file's declared encoding (UTF-8 unless the XML "
		       "declaration says otherwise), or the file holds a control character; "
		       "guessing would corrupt names, so the exporter must declare the right "
		       "encoding, e.g. <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>";
	case XML_ERR_UNSUPPORTED_ENCODING:
		return "the declared encoding is not one libxml2 knows; UTF-8, UTF-16, "
		       "ISO-8859-1 and WINDOWS-1252 are";
	case XML_ERR_DOCUMENT_END:
		return "there is content after the end of the root element: the file was assembled "
		       "wrongly (two documents, or leftover fragments), and which part is true "
		       "cannot be known; nothing is repaired here";
	case XML_ERR_TAG_NOT_FINISHED:
	case XML_ERR_DOCUMENT_EMPTY:
	case XML_ERR_GT_REQUIRED:
	case XML_ERR_LTSLASH_REQUIRED:
		return "the file ends before its elements are closed: it is probably truncated "
		       "(still being written, or a failed transfer); nothing from it is applied";
	case XML_ERR_TAG_NAME_MISMATCH:
		return "an element is closed by a different tag (XML names are case-sensitive)";
	case XML_ERR_ENTITY_LOOP:
		return "entity expansion loop (a 'billion laughs' attack?)";
	}
	return NULL;
}

#define REFUSED_TRAILER "\n  the whole file is refused; nothing from it is used"

bool ims_parse_refused(const errinfo *e)
{
	size_t n = strlen(e->msg), t = strlen(REFUSED_TRAILER);
	return e->code == -EXIT_DATAERR && n >= t && strcmp(e->msg + n - t, REFUSED_TRAILER) == 0;
}

static void build_error(parser *p, errinfo *e)
{
	strbuf sb = STRBUF_INIT;
	const char *hint = hint_for(p);
	char excerpt[200];

	/* libxml2's words for the commonest defect say little to a registrar */
	bool bare_amp = p->err_code == XML_ERR_NAME_REQUIRED || p->err_code == XML_ERR_ENTITYREF_SEMICOL_MISSING;
	sb_addf(&sb, "%s:%d:%d: %s%s%s", p->name, p->err_line, p->err_col,
		bare_amp ? "an '&' that starts no character or entity reference (libxml2: " : "",
		sb_str(&p->err), bare_amp ? ")" : "");
	/* (no excerpt of an empty line: it would show a caret under nothing) */
	if (p->excerpt.prev_len + p->excerpt.cur_len > 0 &&
	    ims_excerpt_around(&p->excerpt, p->err_line, p->err_col, p->err_upto, excerpt, sizeof excerpt) &&
	    excerpt[0] != '\n')
		sb_addf(&sb, "\n  near: %s", excerpt);
	if (hint)
		sb_addf(&sb, "\n  hint: %s", hint);
	/* the trailer is kept whole even when the rest is long */
	if (sb.len > sizeof e->msg - sizeof REFUSED_TRAILER) {
		sb.len = sizeof e->msg - sizeof REFUSED_TRAILER - 4;
		while (sb.len && ((unsigned char)sb.buf[sb.len] & 0xC0) == 0x80)
			sb.len--; /* not inside a UTF-8 character */
		sb.buf[sb.len] = '\0';
		sb_adds(&sb, "...");
	}
	sb_adds(&sb, REFUSED_TRAILER);
	err_set(e, -EXIT_DATAERR, "%s", sb.buf);
	sb_free(&sb);
}

/* A UTF-8 byte order mark with a declaration of another encoding makes
 * libxml2 decode silently wrong (§8 #11): refuse it before parsing. */
static bool bom_contradicts_declaration(const unsigned char *s, size_t n, char *enc, size_t encsz)
{
	if (n < 3 || s[0] != 0xEF || s[1] != 0xBB || s[2] != 0xBF)
		return false;
	const char *decl_end = memchr(s, '>', n < 300 ? n : 300);
	if (!decl_end)
		return false;
	const char *p = (const char *)s + 3;
	size_t len = (size_t)(decl_end - p);
	const char *q = NULL;
	for (size_t i = 0; i + 8 <= len; i++)
		if (memcmp(p + i, "encoding", 8) == 0) {
			q = p + i + 8;
			break;
		}
	if (!q)
		return false;
	while (q < decl_end && (*q == ' ' || *q == '=' || *q == '\t'))
		q++;
	if (q >= decl_end || (*q != '"' && *q != '\''))
		return false;
	char quote = *q++;
	size_t k = 0;
	while (q < decl_end && *q != quote && k + 1 < encsz)
		enc[k++] = *q++;
	enc[k] = '\0';
	return !str_ieq_ascii(enc, "UTF-8") && !str_ieq_ascii(enc, "UTF8");
}

/* ---- driving the parse ------------------------------------------------------------- */

typedef int (*chunk_source)(void *ctx, char *buf, size_t cap, size_t *got, errinfo *e);

/* Feeds one chunk of original bytes through the repairer into libxml2. */
static void feed(void *ctx, const char *data, size_t n, int terminate)
{
	parser *p = ctx;
	if (p->failed && !terminate)
		return;
	int rc = xmlParseChunk(p->ctxt, data, (int)n, terminate);
	if (rc == 0 || p->failed)
		return;
	/* libxml2 stopped without telling the parser's error channel: a byte
	 * its converter from the declared encoding refused (a windows-1252
	 * file holding 0x81). Read on, it would look truncated. */
	ims_loc loc = current_loc(p);
	int col = (int)loc.col;
	const char *libxml = p->outside_error.len ? p->outside_error.buf : "encoder error";
	char msg[700];
	if (rc == XML_ERR_INVALID_ENCODING) {
		const xmlChar *enc = p->ctxt->input && p->ctxt->input->encoding ?
				     p->ctxt->input->encoding : p->ctxt->encoding;
		/* the parser stands at the start of the text that holds the
		 * byte; libxml2's message names it and the three after it */
		unsigned int v[4];
		unsigned char bytes[4];
		const char *named = strstr(libxml, "bytes 0x");
		int nbytes = named ? sscanf(named, "bytes 0x%2X 0x%2X 0x%2X 0x%2X", &v[0], &v[1], &v[2], &v[3]) : 0;
		for (int i = 0; i < nbytes; i++)
			bytes[i] = (unsigned char)v[i];
		int at = nbytes > 0 ? ims_excerpt_find(&p->excerpt, (int)loc.line, col, bytes, (size_t)nbytes) : 0;
		if (at) {
			col = at;
			snprintf(msg, sizeof msg, "the byte 0x%02X is not a character of %s, the encoding the file declares "
				 "(libxml2: %s)", bytes[0], enc ? (const char *)enc : "its encoding", libxml);
		} else {
			snprintf(msg, sizeof msg, "a byte in the text from here is not a character of %s, the "
				 "encoding the file declares (libxml2: %s)", enc ? (const char *)enc : "its encoding",
				 libxml);
		}
	} else {
		snprintf(msg, sizeof msg, "libxml2 stopped reading (error %d: %s)", rc, libxml);
	}
	fail_at(p, rc, (int)loc.line, col, msg);
}

/* Starts the builder's thread; false when one thread must do. */
static bool start_builder(parser *p)
{
	p->events = ims_events_new(EVENT_BLOCK_SIZE, EVENT_BLOCKS);
	p->scopes = xcalloc((size_t)p->opt->max_depth + 2, sizeof *p->scopes);
	p->scopes[0] = IMS_SCOPE_DOC;
	p->scope_depth = 0;
	p->scope_cap = p->opt->max_depth + 1;
	p->building_elsewhere = true;
	if (pthread_create(&p->builder_thread, NULL, build_events, p) == 0)
		return true;
	ims_events_free(p->events);
	p->events = NULL;
	free(p->scopes);
	p->scopes = NULL;
	p->building_elsewhere = false;
	return false;
}

/* Tells the builder's thread that the events ended and waits for it. Its
 * refusal comes first in the file (libxml2 had read no further than the
 * event it refused), then a libxml2 error kept back for it. */
static void join_builder(parser *p)
{
	if (!p->building_elsewhere)
		return;
	flush_events(p);
	ims_events_close(p->events);
	pthread_join(p->builder_thread, NULL);
	p->building_elsewhere = false;
	if (p->builder_failed) {
		p->failed = false;
		fail_at(p, 0, (int)p->builder_fail_loc.line, (int)p->builder_fail_loc.col, p->cb_err.msg);
		p->err_upto = p->builder_upto;
	} else if (p->deferred.set) {
		p->failed = false;
		libxml_error(p, p->deferred.code, p->deferred.line, p->deferred.col,
			     p->deferred.has_message ? sb_str(&p->deferred_message) : NULL);
	}
}

static int run(parser *p, chunk_source next_chunk, void *src, errinfo *e)
{
	xmlSAXHandler h;
	xmlSAXHandlerPtr hp = &h;
	void *user = p;
	xmlSchemaPtr schema = NULL;
	xmlSchemaParserCtxtPtr sctxt = NULL;
	xmlSchemaValidCtxtPtr vctxt = NULL;
	xmlSchemaSAXPlugPtr plug = NULL;
	char *buf;
	size_t total = 0;
	int rc = 0;

	init_handler(&h, want_pipeline(p) && start_builder(p));
	if (p->opt->strict) {
		const char *xsd = p->opt->schema_path;
		strbuf why = STRBUF_INIT;
		/* libxml2's I/O layer reports through the global handler */
		xmlSetStructuredErrorFunc(&why, on_schema_load_error);
		sctxt = xmlSchemaNewParserCtxt(xsd);
		if (sctxt)
			xmlSchemaSetParserStructuredErrors(sctxt, on_schema_load_error, &why);
		schema = sctxt ? xmlSchemaParse(sctxt) : NULL;
		xmlSetStructuredErrorFunc(NULL, NULL);
		if (!schema) {
			rc = err_set(e, -EXIT_CONFIG, "cannot load the XML Schema %s%s%s (--schema FILE or "
				     "IMS2MOODLE_SCHEMA names another)", xsd, why.len ? ": " : "",
				     why.len ? why.buf : "");
			sb_free(&why);
			goto out;
		}
		sb_free(&why);
		vctxt = xmlSchemaNewValidCtxt(schema);
		xmlSchemaSetValidStructuredErrors(vctxt, on_schema_error, p);
		plug = xmlSchemaSAXPlug(vctxt, &hp, &user);
	}
	xmlSetStructuredErrorFunc(p, on_outside_error);
	xmlSetGenericErrorFunc(p, on_generic_error);
	p->ctxt = xmlCreatePushParserCtxt(hp, user, NULL, 0, p->name);
	if (!p->ctxt) {
		rc = err_set(e, -EXIT_SOFTWARE, "%s: cannot create the XML parser", p->name);
		goto out;
	}
	xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET);
	p->ctxt->_private = p;
	/* the schema's plug does not pass libxml2's errors on: take them here
	 * (the parser's own copy of the handler), or every error under --strict
	 * read as "the document is not complete" at the end of the file */
	if (plug && p->ctxt->sax)
		p->ctxt->sax->serror = on_structured_error;
	if (vctxt)
		xmlSchemaValidateSetLocator(vctxt, schema_locator, p);

	/* Before a read drops the oldest text the excerpt holds, the pipeline's
	 * builder has read every event of it: an error it finds can then still
	 * be quoted. */
	uint64_t excerpt_mark = 0;
	for (;;) {
		size_t got = 0;
		if (p->events) {
			flush_events(p);
			ims_events_wait_consumed(p->events, excerpt_mark);
		}
		buf = ims_excerpt_buffer(&p->excerpt, READ_SIZE);
		rc = next_chunk(src, buf, READ_SIZE, &got, e);
		if (rc < 0)
			goto out;
		if (got == 0)
			break;
		ims_excerpt_commit(&p->excerpt, got);
		p->feed_end = total + got;
		if (total == 0) {
			char enc[64];
			if (bom_contradicts_declaration((unsigned char *)buf, got, enc, sizeof enc)) {
				char msg[256];
				snprintf(msg, sizeof msg,
					 "the file starts with a UTF-8 byte order mark but declares "
					 "encoding=\"%s\"; one of them is wrong, and libxml2 would decode "
					 "names silently wrong", enc);
				fail_at(p, 0, 1, 1, msg);
				break;
			}
		}
		for (size_t off = 0; off < got && !p->failed; off += FEED_SIZE) {
			size_t n = got - off < FEED_SIZE ? got - off : FEED_SIZE;
			piece_event(p, total + off + n);
			ims_repair_feed(p->repair, buf + off, n, feed, p);
			/* libxml2 holds back less than a piece: the events of the
			 * text before this read end with those of its first piece */
			if (off == 0 && p->events) {
				flush_events(p);
				excerpt_mark = p->ev_handed;
			}
		}
		total += got;
		if (p->failed)
			break;
	}
	if (!p->failed && total == 0)
		fail_at(p, 0, 1, 1, "the file is empty (0 bytes); an empty extract is an export "
			"failure far more often than a real empty term");
	if (!p->failed) {
		piece_event(p, UINT64_MAX);
		ims_repair_finish(p->repair, feed, p);
	}
	join_builder(p);
	if (!p->failed && (!p->ctxt->wellFormed || ims_build_depth(p->b) != 0)) {
		ims_loc loc = current_loc(p);
		fail_at(p, XML_ERR_TAG_NOT_FINISHED, (int)loc.line, (int)loc.col,
			"the document is not complete");
	}
	if (!p->failed) {
		errinfo be = { 0 };
		if (ims_build_finish(p->b, &be) < 0) {
			ims_loc loc = current_loc(p);
			fail_at(p, 0, (int)loc.line, (int)loc.col, be.msg);
		}
	}
	if (p->failed) {
		build_error(p, e);
		rc = e->code;
	} else if (p->schema_error_count) {
		rc = err_set(e, -EXIT_DATAERR, "%s: %d deviation%s from the IMS Enterprise 1.1 schema",
			     p->name, p->schema_error_count, p->schema_error_count == 1 ? "" : "s");
	}
out:
	join_builder(p);
	ims_events_free(p->events);
	p->events = NULL;
	free(p->scopes);
	p->scopes = NULL;
	if (p->ctxt) {
		/* a DOCTYPE that declares an entity makes libxml2 start a document
		 * to hold it (the file is refused for it), which the context does
		 * not free */
		if (p->ctxt->myDoc) {
			xmlFreeDoc(p->ctxt->myDoc);
			p->ctxt->myDoc = NULL;
		}
		xmlFreeParserCtxt(p->ctxt);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	if (plug)
		xmlSchemaSAXUnplug(plug);
	if (vctxt)
		xmlSchemaFreeValidCtxt(vctxt);
	if (schema)
		xmlSchemaFree(schema);
	if (sctxt)
		xmlSchemaFreeParserCtxt(sctxt);
	return rc;
}

static uint32_t add_file_name(ims_model *m, const char *name)
{
	m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof *m->files);
	m->files[m->nfiles] = ims_intern(m, name, strlen(name));
	return m->nfiles++;
}

static int parse_with(ims_model *m, const char *name, chunk_source next_chunk, void *src,
		      const ims_parse_options *opt_in, strbuf *schema_errors, errinfo *e)
{
	ims_parse_options defaults;
	const ims_parse_options *opt = opt_in;
	parser p;
	int rc;

	if (!opt) {
		ims_parse_options_init(&defaults);
		opt = &defaults;
	}
	memset(&p, 0, sizeof p);
	p.m = m;
	p.name = name;
	p.opt = opt;
	p.file = add_file_name(m, name);
	p.schema_errors = schema_errors;
	p.b = ims_builder_new(m, p.file, opt, locate, &p);
	p.repair = ims_repairer_new(opt->repair, m, p.file);
	ptrmap_init(&p.names);
	ims_excerpt_init(&p.excerpt);

	rc = run(&p, next_chunk, src, e);

	ims_excerpt_free(&p.excerpt);
	ptrmap_free(&p.names);
	ims_repairer_free(p.repair);
	ims_builder_free(p.b);
	sb_free(&p.err);
	sb_free(&p.outside_error);
	sb_free(&p.deferred_message);
	/* a file read in full is counted, also when --strict found deviations
	 * from the schema (check reports both) */
	if (rc == 0 || (!p.failed && p.schema_error_count))
		ims_model_count(m);
	return rc;
}

typedef struct fd_source {
	int fd;
	const char *path;
} fd_source;

static int read_fd_chunk(void *ctx, char *buf, size_t cap, size_t *got, errinfo *e)
{
	fd_source *s = ctx;
	for (;;) {
		ssize_t r = read(s->fd, buf, cap);
		if (r >= 0) {
			*got = (size_t)r;
			return 0;
		}
		if (errno != EINTR)
			return err_set(e, -EXIT_IOERR, "%s: read error: %s", s->path, strerror(errno));
	}
}

int ims_parse_file(ims_model *m, const char *path, const ims_parse_options *opt,
		   strbuf *schema_errors, errinfo *e)
{
	bool is_stdin = strcmp(path, "-") == 0;
	fd_source src = { is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC), path };
	int rc;

	if (src.fd < 0)
		return err_set(e, errno == ENOENT ? -EXIT_NOINPUT : -EXIT_IOERR, "%s: %s", path,
			       strerror(errno));
	rc = parse_with(m, is_stdin ? "(standard input)" : path, read_fd_chunk, &src, opt,
			schema_errors, e);
	if (!is_stdin)
		close(src.fd);
	return rc;
}

typedef struct mem_source {
	const char *data;
	size_t len, pos;
} mem_source;

static int read_mem_chunk(void *ctx, char *buf, size_t cap, size_t *got, errinfo *e)
{
	mem_source *s = ctx;
	size_t n = s->len - s->pos < cap ? s->len - s->pos : cap;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	*got = n;
	return 0;
}

int ims_parse_memory(ims_model *m, const char *name, const char *data, size_t len,
		     const ims_parse_options *opt, strbuf *schema_errors, errinfo *e)
{
	mem_source src = { data, len, 0 };
	return parse_with(m, name, read_mem_chunk, &src, opt, schema_errors, e);
}
