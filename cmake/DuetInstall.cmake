# `cmake --install`: what an admin installs (docs/admin-guide.md, "Install").
#
#   bin/duet                                    the program (reads no data files at run time)
#   lib/systemd/system/duet.service             the gateway as a hardened service, user duet
#   lib/systemd/system/duet-backup.{service,timer}   a daily `duet backup` (not enabled)
#   lib/sysusers.d/duet.conf, lib/tmpfiles.d/duet.conf   the user and its directories
#   share/doc/duet/examples/duet.json           the production example configuration
#   share/doc/duet/*.md                         admin guide, configuration, certificates, ...
#
# The example goes to the documentation, not to /etc: `cmake --install` has no conffile
# handling and would overwrite the admin's edited /etc/duet/duet.json at every upgrade. The
# paths under lib/ are the ones systemd searches below /usr/local and /usr alike.
include(GNUInstallDirs)

set(DUET_CONFIG_FILE "/etc/duet/duet.json" CACHE STRING
    "Configuration file the installed systemd units pass to duet")
set(DUET_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "systemd system unit directory (relative to the install prefix, or absolute)")
set(DUET_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING "sysusers.d directory")
set(DUET_TMPFILES_DIR "lib/tmpfiles.d" CACHE STRING "tmpfiles.d directory")
set(DUET_FULL_DOCDIR "${CMAKE_INSTALL_FULL_DATADIR}/doc/duet")

install(TARGETS duet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

foreach(unit duet.service duet-backup.service)
  configure_file(${PROJECT_SOURCE_DIR}/config/systemd/${unit}.in
                 ${PROJECT_BINARY_DIR}/packaging/${unit} @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/${unit} DESTINATION ${DUET_SYSTEMD_UNIT_DIR})
endforeach()
install(FILES config/systemd/duet-backup.timer DESTINATION ${DUET_SYSTEMD_UNIT_DIR})
install(FILES config/systemd/duet.sysusers DESTINATION ${DUET_SYSUSERS_DIR} RENAME duet.conf)
install(FILES config/systemd/duet.tmpfiles DESTINATION ${DUET_TMPFILES_DIR} RENAME duet.conf)

install(FILES config/duet.production.json DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/duet/examples
        RENAME duet.json)
install(FILES docs/admin-guide.md docs/security.md docs/sync.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/duet)
install(FILES config/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/duet
        RENAME configuration.md)
install(FILES certs/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/duet
        RENAME certificates.md)
