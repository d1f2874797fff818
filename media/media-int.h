/* SPDX-License-Identifier: Apache-2.0 */
/*
 * media-int.h - shared by the files of media/ only.
 */
#ifndef TC_MEDIA_INT_H
#define TC_MEDIA_INT_H

#include <gst/gst.h>

#include "tc-media.h"

GST_DEBUG_CATEGORY_EXTERN(tc_media_debug);
#define GST_CAT_DEFAULT tc_media_debug

#endif
