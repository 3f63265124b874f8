// Fuzzes the reader of recipe documents the server imports from anyone with
// an API token (ParseRecipeDocument: YAML in, checked rules as JSON out):
// any text must give a recipe or an error, never a crash, a hang or an
// exception escaping. A recipe that parses is written back as YAML and must
// read back to the same rules, and its errors must name a JSON pointer the
// server can answer with.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "detectors/recipe_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto recipe = warden::ParseRecipeDocument(text, "recipe.yaml");
  if (!recipe.ok()) {
    (void)warden::RecipeErrorPointer(recipe.status().message(), "recipe.yaml");
    return 0;
  }
  warden::Json doc = {{"name", recipe->name}, {"rules", recipe->rules}};
  auto again = warden::ParseRecipeDocument(warden::JsonToYamlText(doc), "again.yaml");
  if (!again.ok() || again->rules != recipe->rules) std::abort();
  return 0;
}
