/* Form parameter lists: built by params/param, sent by "##params" URIs. */
#ifndef KEEL_PARAMS_H
#define KEEL_PARAMS_H
#include <stddef.h>
#include <keel/list.h>
#include <keel/refcnt.h>

/*
 * A script builds a list and names it in a URI, as in iPXE:
 *
 *   params
 *   param mac ${net0/mac}
 *   param --header X-Asset ${asset}
 *   chain http://server/boot.php##params
 *
 * The URI's opener (HTTP) then POSTs the form parameters, encoded as
 * application/x-www-form-urlencoded (params_format_form()), and sends the
 * header parameters as request headers. Lists are found by name; the
 * unnamed list has the name NULL.
 */

/** One parameter */
struct parameter {
	/** Link in the list's entries, in the order added */
	struct list_head list;
	const char *key;
	const char *value;
	/** PARAMETER_* */
	unsigned int flags;
};
/** A form field (the default) */
#define PARAMETER_FORM 0x01
/** A request header (param --header) */
#define PARAMETER_HEADER 0x02

/** A named list of parameters */
struct parameters {
	struct refcnt refcnt;
	/** Link in the list of every registered list */
	struct list_head list;
	/** Name, or NULL for the unnamed list */
	const char *name;
	/** Parameters (struct parameter) */
	struct list_head entries;
};

/** Find a registered list by name (NULL or "": the unnamed list), or NULL */
struct parameters *find_parameters(const char *name);
/**
 * Create an empty list and register it, replacing any list of that name.
 * The registry holds the list; take a reference to keep it longer.
 *
 * @ret params	list, or NULL if out of memory
 */
struct parameters *create_parameters(const char *name);
/** Unregister a list; URIs that hold it keep it until they go */
void destroy_parameters(struct parameters *params);
/**
 * Append a parameter (key and value are copied).
 *
 * @flags	PARAMETER_FORM or PARAMETER_HEADER
 * @ret rc	0 or -ENOMEM
 */
int add_parameter(struct parameters *params, const char *key, const char *value,
		  unsigned int flags);

static inline struct parameters *params_get(struct parameters *params)
{
	if (params)
		ref_get(&params->refcnt);
	return params;
}
static inline void params_put(struct parameters *params)
{
	if (params)
		ref_put(&params->refcnt);
}

/** Every parameter of a list, in order */
#define for_each_param(param, params)                                          \
	list_for_each_entry(param, &(params)->entries, list)

/**
 * Encode the form parameters (PARAMETER_FORM) as
 * application/x-www-form-urlencoded: "key=value&key=value", every byte
 * outside the unreserved set as %XX. Works like snprintf.
 *
 * @ret len	length of the encoded form
 */
size_t params_format_form(const struct parameters *params, char *buf,
			  size_t len);
/** As params_format_form(), into a malloc'd string (NULL if no memory) */
char *params_format_form_alloc(const struct parameters *params);

#endif
