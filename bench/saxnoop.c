/* saxnoop.c -- a libxml2 SAX2 push-mode pass over a file that does nothing
 * with what it reads: the floor ims2moodle's parser is measured against
 * (bench/parse). Exits 1 when the file is not well-formed. */
#include <fcntl.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	static char buf[65536];
	xmlSAXHandler h;
	ssize_t r;

	if (argc != 2) {
		fprintf(stderr, "usage: saxnoop FILE\n");
		return 64;
	}
	memset(&h, 0, sizeof h);
	h.initialized = XML_SAX2_MAGIC;
	h.startElementNs = on_start;
	h.endElementNs = on_end;
	h.characters = on_text;
	h.cdataBlock = on_text;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 66;
	}
	xmlParserCtxtPtr c = xmlCreatePushParserCtxt(&h, NULL, NULL, 0, argv[1]);
	xmlCtxtUseOptions(c, XML_PARSE_NONET);
	while ((r = read(fd, buf, sizeof buf)) > 0)
		xmlParseChunk(c, buf, (int)r, 0);
	xmlParseChunk(c, NULL, 0, 1);
	int ok = c->wellFormed;
	xmlFreeParserCtxt(c);
	close(fd);
	return ok ? 0 : 1;
}
