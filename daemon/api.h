/*
 * api.h: the client API endpoint: a ZeroMQ ROUTER socket bound to
 * ipc://DIR/api.sock, driven by the node's libevent loop.
 */
#ifndef MENTOR_API_H
#define MENTOR_API_H

#include <stddef.h>

struct node;
struct api;

/* api_open: binds the socket and registers it with n->base. */
int	api_open(struct api **, struct node *n, char *err, size_t errlen);
void	api_close(struct api *);

#endif
