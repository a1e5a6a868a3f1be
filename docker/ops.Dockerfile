# The maintenance service's image: PostgreSQL 17's client programs, so that `bin/rmbg backup` finds a
# pg_dump as new as the server and writes pg_dump -Fc archives (docs/operations.md §4), and a Java 17
# runtime for io.rmbg.ops (ops/target, mounted at run time: this image holds no project code).
FROM eclipse-temurin:17-jre AS jre

FROM postgres:17.6-bookworm
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH
