# duet_console_assets(<target>)
#
# Builds the admin web console (console/: Vite + TypeScript) with npm and compiles the built files
# into <target> as duet::gateway::EmbeddedConsoleAssets() (gateway/admin_api/console_assets.h), so
# the installed program serves /admin/ with no files and no Node at run time. npm runs only when a
# console source changed: `npm ci` when package-lock.json changed, `npm run build` when any source
# did. Without npm the configure step stops with a message saying how to get it.
function(duet_console_assets target)
  set(console_dir ${PROJECT_SOURCE_DIR}/console)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/console)
  set(dist_dir ${out_dir}/dist)
  set(source ${out_dir}/console_assets.cc)
  find_program(DUET_NPM npm)
  if(NOT DUET_NPM)
    message(FATAL_ERROR
      "npm was not found: it builds the admin console (console/) that duet embeds. "
      "Install Node.js 20+ and npm (scripts/setup does: apt-get install nodejs npm), "
      "or point -DDUET_NPM=/path/to/npm at one.")
  endif()
  file(GLOB_RECURSE console_sources CONFIGURE_DEPENDS ${console_dir}/src/*)
  list(APPEND console_sources ${console_dir}/index.html ${console_dir}/vite.config.ts
       ${console_dir}/tsconfig.json ${console_dir}/package.json)
  set(installed ${out_dir}/npm-ci.stamp)
  add_custom_command(
    OUTPUT ${installed}
    COMMAND ${DUET_NPM} ci --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${installed}
    DEPENDS ${console_dir}/package-lock.json ${console_dir}/package.json
    WORKING_DIRECTORY ${console_dir}
    COMMENT "Installing the admin console's npm packages (npm ci)"
    VERBATIM)
  add_custom_command(
    OUTPUT ${source}
    COMMAND ${DUET_NPM} run --silent build -- --outDir ${dist_dir} --emptyOutDir --logLevel warn
    COMMAND ${CMAKE_COMMAND} -DDIST=${dist_dir} -DSOURCE=${source}
            -P ${PROJECT_SOURCE_DIR}/cmake/ConsoleAssetsGenerate.cmake
    DEPENDS ${installed} ${console_sources} ${PROJECT_SOURCE_DIR}/cmake/ConsoleAssetsGenerate.cmake
    WORKING_DIRECTORY ${console_dir}
    COMMENT "Building the admin console (npm run build) and embedding console/dist"
    VERBATIM)
  target_sources(${target} PRIVATE ${source})
endfunction()
