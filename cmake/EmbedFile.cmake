# duet_embed_file(<target> <symbol> <file>)
#
# Compiles <file> into <target> as `std::string_view duet_embedded::<symbol>()` declared in the
# generated header "embedded/<symbol>.h" (on the target's include path). Used for the trimmed R4
# definitions, so the program and `duet validate` need no data files at run time.
function(duet_embed_file target symbol file)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embedded)
  set(header ${out_dir}/embedded/${symbol}.h)
  set(source ${out_dir}/${symbol}.cc)
  add_custom_command(
    OUTPUT ${header} ${source}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${file} -DSYMBOL=${symbol} -DHEADER=${header}
            -DSOURCE=${source} -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFileGenerate.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/EmbedFileGenerate.cmake
    COMMENT "Embedding ${file} as ${symbol}"
    VERBATIM)
  target_sources(${target} PRIVATE ${source} ${header})
  target_include_directories(${target} PRIVATE ${out_dir})
endfunction()
