/* saxnoop.c -- a libxml2 SAX2 push-mode pass over a file that does nothing
 * with what it reads: the floor ims2moodle's parser is measured against
 * (bench/parse). The handler is libxml2's own SAX2 one (xmlSAXVersion 2)
 * with the element and text callbacks replaced by empty functions; the file
 * is fed in 64 KiB chunks with XML_PARSE_NONET only, as ims2moodle does.
 * Prints nothing and exits 0 when the file is well-formed; exits 1 when it
 * is not (libxml2 prints the error), 66 when it cannot be opened, 74 on a
 * read error, 64 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static void on_start(void *c, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn,
		     const xmlChar **ns, int na, int nd, const xmlChar **a)
{
}

static void on_end(void *c, const xmlChar *l, const xmlChar *p, const xmlChar *u)
{
}

static void on_text(void *c, const xmlChar *s, int n)
{
}

/* Feeds the file to a push parser; returns 0 when it is well-formed, 1 when
 * it is not, 74 when it cannot be read. */
static int parse_fd(int fd, const char *name)
{
	static char buf[CHUNK];
	xmlSAXHandler h;
	ssize_t r;

	xmlSAXVersion(&h, 2);
	h.startElementNs = on_start;
	h.endElementNs = on_end;
	h.characters = on_text;
	h.ignorableWhitespace = on_text;
	h.cdataBlock = on_text;
	xmlParserCtxtPtr c = xmlCreatePushParserCtxt(&h, NULL, NULL, 0, name);
	if (!c) {
		fprintf(stderr, "saxnoop: cannot create a parser\n");
		return 74;
	}
	xmlCtxtUseOptions(c, XML_PARSE_NONET);
	while ((r = read(fd, buf, sizeof buf)) > 0)
		if (xmlParseChunk(c, buf, (int)r, 0) != 0 && !c->wellFormed)
			break;
	int rc = 0;
	if (r < 0) {
		fprintf(stderr, "saxnoop: %s: %s\n", name, strerror(errno));
		rc = 74;
	} else {
		if (r == 0)
			xmlParseChunk(c, NULL, 0, 1);
		rc = c->wellFormed ? 0 : 1;
	}
	if (c->myDoc)
		xmlFreeDoc(c->myDoc);
	xmlFreeParserCtxt(c);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: saxnoop FILE\n");
		return 64;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "saxnoop: %s: %s\n", argv[1], strerror(errno));
		return 66;
	}
	int rc = parse_fd(fd, argv[1]);
	close(fd);
	xmlCleanupParser();
	return rc;
}
