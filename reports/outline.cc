// report_outline_parse (outline.h): simdjson's DOM parser, then a walk that
// copies a probe result's attempts into one flat array and everything else
// into jansson values. Only simdjson's error-code interface is used, so this
// file builds without exceptions.
#include "outline.h"

#include <simdjson.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

static_assert(REPORT_OUTLINE_PADDING >= simdjson::SIMDJSON_PADDING,
              "the padding simdjson reads past the data");

struct report_outline_parser {
  simdjson::dom::parser dom;
};

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::key_value_pair;
using simdjson::dom::object;

// A string jansson would have refused: a NUL character (simdjson has
// already checked the UTF-8).
bool has_nul(std::string_view s) {
  return std::memchr(s.data(), '\0', s.size()) != nullptr;
}

// as_object and as_array give |e| as an object or an array, or false when
// it is not one. (simdjson's `e.get_object().get(obj)` does the same, but
// GCC 12 takes its temporary for a dangling pointer.)
bool as_object(const element &e, object *out) {
  simdjson::simdjson_result<object> r = e.get_object();
  if (r.error() != simdjson::SUCCESS) return false;
  *out = r.value_unsafe();
  return true;
}

bool as_array(const element &e, array *out) {
  simdjson::simdjson_result<array> r = e.get_array();
  if (r.error() != simdjson::SUCCESS) return false;
  *out = r.value_unsafe();
  return true;
}

// as_string gives |e| as a string jansson accepts, or false when it is not a
// string (a string with a NUL is refused by the walk that reaches it).
bool as_string(const element &e, std::string_view *out) {
  if (e.type() != element_type::STRING) return false;
  *out = e.get_string().value_unsafe();
  return true;
}

// has_duplicate_key tells whether |obj| names a key twice, which jansson's
// default refuses: pairwise for the small objects of a result, through a
// jansson object used as a set beyond that.
bool has_duplicate_key(const object &obj) {
  if (obj.size() <= 32) {
    std::string_view keys[32];
    size_t n = 0;
    for (key_value_pair field : obj) {
      for (size_t i = 0; i < n; i++) {
        if (keys[i] == field.key) return true;
      }
      keys[n++] = field.key;
    }
    return false;
  }
  json_t *keys = json_object();
  bool duplicate = keys == nullptr;
  for (key_value_pair field : obj) {
    if (duplicate) break;
    duplicate =
        json_object_getn(keys, field.key.data(), field.key.size()) != nullptr ||
        json_object_setn_new_nocheck(keys, field.key.data(), field.key.size(),
                                     json_null()) != 0;
  }
  json_decref(keys);
  return duplicate;
}

// well_formed_object gives |e| as an object whose keys jansson accepts (no
// key twice, none with a NUL), or false.
bool well_formed_object(const element &e, object *out) {
  if (!as_object(e, out) || has_duplicate_key(*out)) return false;
  for (key_value_pair field : *out) {
    if (has_nul(field.key)) return false;
  }
  return true;
}

// acceptable tells whether jansson's defaults would read the value |e|,
// which the outline leaves out: no key twice, no NUL character, no integer
// beyond json_int_t anywhere in it.
bool acceptable(const element &e) {
  switch (e.type()) {
    case element_type::OBJECT: {
      object obj;
      if (!well_formed_object(e, &obj)) return false;
      for (key_value_pair field : obj) {
        if (!acceptable(field.value)) return false;
      }
      return true;
    }
    case element_type::ARRAY: {
      array arr;
      if (!as_array(e, &arr)) return false;
      for (element item : arr) {
        if (!acceptable(item)) return false;
      }
      return true;
    }
    case element_type::STRING:
      return !has_nul(e.get_string().value_unsafe());
    case element_type::UINT64:
      return false;
    default:
      return true;
  }
}

// convert copies the value |e| into jansson, or returns NULL when jansson
// would have refused it or memory ran out.
json_t *convert(const element &e);

json_t *convert_object(const element &e) {
  object obj;
  if (!well_formed_object(e, &obj)) return nullptr;
  json_t *out = json_object();
  if (out == nullptr) return nullptr;
  for (key_value_pair field : obj) {
    json_t *value = convert(field.value);
    if (value == nullptr ||
        json_object_setn_new_nocheck(out, field.key.data(), field.key.size(),
                                     value) != 0) {
      json_decref(out);
      return nullptr;
    }
  }
  return out;
}

json_t *convert_array(const element &e) {
  array arr;
  if (!as_array(e, &arr)) return nullptr;
  json_t *out = json_array();
  if (out == nullptr) return nullptr;
  for (element item : arr) {
    json_t *value = convert(item);
    if (value == nullptr || json_array_append_new(out, value) != 0) {
      json_decref(out);
      return nullptr;
    }
  }
  return out;
}

json_t *convert(const element &e) {
  switch (e.type()) {
    case element_type::OBJECT:
      return convert_object(e);
    case element_type::ARRAY:
      return convert_array(e);
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      return has_nul(s) ? nullptr : json_stringn_nocheck(s.data(), s.size());
    }
    case element_type::INT64:
      return json_integer(e.get_int64().value_unsafe());
    case element_type::UINT64:  // beyond json_int_t: jansson refuses it
      return nullptr;
    case element_type::DOUBLE:
      return json_real(e.get_double().value_unsafe());
    case element_type::BOOL:
      return json_boolean(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return json_null();
  }
  return nullptr;
}

// The attempts of a probe result as they are collected: the rows and the
// strings they point to. Every kept string was a JSON string of the input,
// at least two bytes (its quotes) longer than its value, so the strings
// need no more than the input's length.
struct Attempts {
  report_attempt *rows = nullptr;
  size_t num = 0;
  size_t cap = 0;
  char *strings = nullptr;
  size_t used = 0;
  size_t strings_cap = 0;

  // keep copies |s| into the strings, or returns NULL when it has a NUL
  // character (jansson refuses it).
  const char *keep(std::string_view s) {
    if (has_nul(s) || s.size() >= strings_cap - used) return nullptr;
    char *out = strings + used;
    std::memcpy(out, s.data(), s.size());
    out[s.size()] = '\0';
    used += s.size() + 1;
    return out;
  }

  // add appends |row|; false when memory ran out.
  bool add(const report_attempt &row) {
    if (num == cap) {
      size_t n = cap == 0 ? 1024 : 2 * cap;
      void *grown = std::realloc(rows, n * sizeof(*rows));
      if (grown == nullptr) return false;
      rows = static_cast<report_attempt *>(grown);
      cap = n;
    }
    rows[num++] = row;
    return true;
  }
};

// kept_string reads the member |field| of an attempt or observed object:
// its string value copied into |a| when it is a string, "" otherwise.
// False when jansson would refuse the value.
bool kept_string(const element &value, Attempts *a, const char **out) {
  std::string_view s;
  if (!as_string(value, &s)) {
    *out = "";
    return acceptable(value);
  }
  *out = a->keep(s);
  return *out != nullptr;
}

// walk_observed reads the "text" of an attempt's "observed" object.
bool walk_observed(const element &e, Attempts *a, const char **text) {
  object obj;
  if (!well_formed_object(e, &obj)) return false;
  for (key_value_pair field : obj) {
    bool ok = field.key == "text" ? kept_string(field.value, a, text)
                                  : acceptable(field.value);
    if (!ok) return false;
  }
  return true;
}

// walk_attempt adds the attempt |e| of the target |target| to |a|.
bool walk_attempt(const element &e, const char *target, Attempts *a) {
  object obj;
  if (!well_formed_object(e, &obj)) return false;
  report_attempt row = {target, "", "", ""};
  for (key_value_pair field : obj) {
    bool ok;
    if (field.key == "case") {
      ok = kept_string(field.value, a, &row.case_name);
    } else if (field.key == "result") {
      ok = kept_string(field.value, a, &row.result);
    } else if (field.key == "observed" &&
               field.value.type() == element_type::OBJECT) {
      ok = walk_observed(field.value, a, &row.observed);
    } else {
      ok = acceptable(field.value);
    }
    if (!ok) return false;
  }
  return a->add(row);
}

// walk_target adds the attempts of the target |e| (an object: its "name"
// and its "results") to |a|.
bool walk_target(const element &e, Attempts *a) {
  object obj;
  if (!well_formed_object(e, &obj)) return false;
  const char *name = "";
  array results;
  bool has_results = false;
  for (key_value_pair field : obj) {
    bool ok;
    if (field.key == "name") {
      ok = kept_string(field.value, a, &name);
    } else if (field.key == "results" && as_array(field.value, &results)) {
      ok = has_results = true;
    } else {
      ok = acceptable(field.value);
    }
    if (!ok) return false;
  }
  if (!has_results) return true;
  for (element item : results) {
    bool ok = item.type() == element_type::OBJECT ? walk_attempt(item, name, a)
                                                  : acceptable(item);
    if (!ok) return false;
  }
  return true;
}

// walk_targets adds the attempts of every target of |targets| to |a|.
bool walk_targets(const array &targets, Attempts *a) {
  for (element item : targets) {
    bool ok = item.type() == element_type::OBJECT ? walk_target(item, a)
                                                  : acceptable(item);
    if (!ok) return false;
  }
  return true;
}

// outline_root fills |out| from the object |root|: its "targets" into the
// attempts, everything else into jansson.
bool outline_root(const element &root, size_t len, report_outline *out) {
  object obj;
  if (!well_formed_object(root, &obj)) return false;
  Attempts a;
  a.strings_cap = len + 1;
  a.strings = static_cast<char *>(std::malloc(a.strings_cap));
  json_t *doc = json_object();
  bool ok = a.strings != nullptr && doc != nullptr;
  for (key_value_pair field : obj) {
    if (!ok) break;
    array targets;
    json_t *value = nullptr;
    if (field.key == "targets" && as_array(field.value, &targets)) {
      if (walk_targets(targets, &a)) {
        value = json_array();  // a probe result's, as result.h reads it
      }
    } else {
      value = convert(field.value);
    }
    // (json_object_setn_new_nocheck releases |value| when it fails.)
    ok = value != nullptr &&
         json_object_setn_new_nocheck(doc, field.key.data(), field.key.size(),
                                      value) == 0;
  }
  if (!ok) {
    json_decref(doc);
    std::free(a.rows);
    std::free(a.strings);
    return false;
  }
  *out = {doc, a.rows, a.num, a.strings};
  return true;
}

}  // namespace

struct report_outline_parser *report_outline_parser_new(void) {
  return new (std::nothrow) report_outline_parser;
}

void report_outline_parser_free(struct report_outline_parser *p) { delete p; }

int report_outline_parse(struct report_outline_parser *p, const char *data,
                         size_t len, struct report_outline *out) {
  *out = {};
  simdjson::simdjson_result<element> parsed =
      p->dom.parse(reinterpret_cast<const uint8_t *>(data), len, false);
  if (parsed.error() != simdjson::SUCCESS) return -1;
  element root = parsed.value_unsafe();
  if (root.type() == element_type::OBJECT) {
    return outline_root(root, len, out) ? 0 : -1;
  }
  if (root.type() != element_type::ARRAY) {  // as jansson's default
    return -1;
  }
  out->doc = convert(root);
  return out->doc != nullptr ? 0 : -1;
}
