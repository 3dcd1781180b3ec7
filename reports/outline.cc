// report_outline_parse (outline.h): simdjson's DOM parser, then a walk that
// copies into jansson the values the outline keeps. Only simdjson's
// error-code interface is used, so this file builds without exceptions.
#include "outline.h"

#include <simdjson.h>

#include <cstring>
#include <string_view>

static_assert(REPORT_OUTLINE_PADDING >= simdjson::SIMDJSON_PADDING,
              "the padding simdjson reads past the data");

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Where a value sits in a probe result, as far as the outline cares: ANY is
// kept whole; the others keep only some of their members.
enum class Level {
  kAny,
  kRoot,
  kTargets,
  kTarget,
  kResults,
  kAttempt,
  kObserved
};

// member_level says whether the member |key| of an object at |level| is
// kept (false: dropped) and at which level its value is read.
bool member_level(Level level, std::string_view key, Level *child) {
  switch (level) {
    case Level::kRoot:
      *child = key == "targets" ? Level::kTargets : Level::kAny;
      return true;
    case Level::kTarget:
      *child = key == "results" ? Level::kResults : Level::kAny;
      return key == "name" || key == "results";
    case Level::kAttempt:
      *child = key == "observed" ? Level::kObserved : Level::kAny;
      return key == "case" || key == "result" || key == "observed";
    case Level::kObserved:
      *child = Level::kAny;
      return key == "text";
    default:
      *child = Level::kAny;
      return true;
  }
}

// The level of the elements of an array at |level|.
Level element_level(Level level) {
  switch (level) {
    case Level::kTargets:
      return Level::kTarget;
    case Level::kResults:
      return Level::kAttempt;
    default:
      return Level::kAny;
  }
}

// A string jansson would have refused: a NUL character (simdjson has
// already checked the UTF-8).
bool has_nul(std::string_view s) {
  return std::memchr(s.data(), '\0', s.size()) != nullptr;
}

// as_object and as_array give |e| as an object or an array, or false when
// it is not one. (simdjson's `e.get_object().get(obj)` does the same, but
// GCC 12 takes its temporary for a dangling pointer.)
bool as_object(const element &e, simdjson::dom::object *out) {
  simdjson::simdjson_result<simdjson::dom::object> r = e.get_object();
  if (r.error() != simdjson::SUCCESS) return false;
  *out = r.value_unsafe();
  return true;
}

bool as_array(const element &e, simdjson::dom::array *out) {
  simdjson::simdjson_result<simdjson::dom::array> r = e.get_array();
  if (r.error() != simdjson::SUCCESS) return false;
  *out = r.value_unsafe();
  return true;
}

// has_duplicate_key tells whether |obj| names a key twice, which jansson's
// default refuses: pairwise for the small objects of a result, through a
// jansson object used as a set beyond that.
bool has_duplicate_key(const simdjson::dom::object &obj) {
  if (obj.size() <= 32) {
    std::string_view keys[32];
    size_t n = 0;
    for (simdjson::dom::key_value_pair field : obj) {
      for (size_t i = 0; i < n; i++) {
        if (keys[i] == field.key) return true;
      }
      keys[n++] = field.key;
    }
    return false;
  }
  json_t *keys = json_object();
  bool duplicate = keys == nullptr;
  for (simdjson::dom::key_value_pair field : obj) {
    if (duplicate) break;
    duplicate =
        json_object_getn(keys, field.key.data(), field.key.size()) != nullptr ||
        json_object_setn_new_nocheck(keys, field.key.data(), field.key.size(),
                                     json_null()) != 0;
  }
  json_decref(keys);
  return duplicate;
}

// acceptable tells whether jansson's defaults would read the value |e|,
// which the outline leaves out: no key twice, no NUL character, no integer
// beyond json_int_t anywhere in it.
bool acceptable(const element &e) {
  switch (e.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj;
      if (!as_object(e, &obj) || has_duplicate_key(obj)) {
        return false;
      }
      for (simdjson::dom::key_value_pair field : obj) {
        if (has_nul(field.key) || !acceptable(field.value)) return false;
      }
      return true;
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr;
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

json_t *convert(const element &e, Level level);

json_t *convert_object(const element &e, Level level) {
  simdjson::dom::object obj;
  if (!as_object(e, &obj) || has_duplicate_key(obj)) {
    return nullptr;
  }
  json_t *out = json_object();
  if (out == nullptr) return nullptr;
  for (simdjson::dom::key_value_pair field : obj) {
    Level child;
    if (has_nul(field.key)) {
      json_decref(out);
      return nullptr;
    }
    if (!member_level(level, field.key, &child)) {
      if (acceptable(field.value)) continue;
      json_decref(out);
      return nullptr;
    }
    json_t *value = convert(field.value, child);
    if (value == nullptr ||
        json_object_setn_new_nocheck(out, field.key.data(), field.key.size(),
                                     value) != 0) {
      json_decref(out);
      return nullptr;
    }
  }
  return out;
}

json_t *convert_array(const element &e, Level level) {
  simdjson::dom::array arr;
  if (!as_array(e, &arr)) return nullptr;
  json_t *out = json_array();
  if (out == nullptr) return nullptr;
  Level child = element_level(level);
  for (element item : arr) {
    json_t *value = convert(item, child);
    if (value == nullptr || json_array_append_new(out, value) != 0) {
      json_decref(out);
      return nullptr;
    }
  }
  return out;
}

json_t *convert(const element &e, Level level) {
  switch (e.type()) {
    case element_type::OBJECT:
      return convert_object(e, level);
    case element_type::ARRAY:
      return convert_array(e, level);
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

}  // namespace

json_t *report_outline_parse(const char *data, size_t len) {
  simdjson::dom::parser parser;
  simdjson::simdjson_result<element> parsed =
      parser.parse(reinterpret_cast<const uint8_t *>(data), len, false);
  if (parsed.error() != simdjson::SUCCESS) return nullptr;
  element root = parsed.value_unsafe();
  if (root.type() != element_type::OBJECT &&
      root.type() != element_type::ARRAY) {  // as jansson's default
    return nullptr;
  }
  return convert(root, Level::kRoot);
}
