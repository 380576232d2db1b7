/* Local overrides of config/general.h (this file is tracked empty; edits stay local). */
