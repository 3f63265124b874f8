# Generates a C++ source that embeds the store's SQLite migrations.
#   cmake -DOUT=<file.cc> -DDIR=<migrations dir> -P embed_migrations.cmake
# Files must be named NNN_name.sql and numbered 1, 2, ... without gaps.
file(GLOB files RELATIVE ${DIR} ${DIR}/*.sql)
list(SORT files)
set(body "")
set(expected 1)
foreach(f ${files})
  if(NOT f MATCHES "^([0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "store migration ${DIR}/${f}: name must be NNN_name.sql (lowercase)")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name ${CMAKE_MATCH_2})
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "store migration ${DIR}/${f}: expected number ${expected}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ ${DIR}/${f} sql)
  string(FIND "${sql}" ")warden_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "store migration ${DIR}/${f}: contains the raw-string delimiter")
  endif()
  string(APPEND body "    {${version}, \"${name}\", R\"warden_sql(${sql})warden_sql\"},\n")
endforeach()
if(expected EQUAL 1)
  message(FATAL_ERROR "store migrations: none in ${DIR}")
endif()
file(WRITE ${OUT}.tmp
"// Generated from src/store/sqlite/migrations by embed_migrations.cmake; do not edit.
#include \"store/sqlite/sqlite_migrations.h\"

namespace warden::store {
namespace {
const EmbeddedMigration kMigrations[] = {
${body}};
}  // namespace

std::span<const EmbeddedMigration> SqliteMigrations() { return kMigrations; }

}  // namespace warden::store
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
