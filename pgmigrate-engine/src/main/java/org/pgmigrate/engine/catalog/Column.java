package org.pgmigrate.engine.catalog;

/**
 * A column that COPY carries: not dropped, not generated.
 *
 * @param binaryPortable its values' binary form ({@code typsend}) can be read by {@code typreceive} on another
 *                       cluster of the same major: every type in the column's type tree (the type, array elements,
 *                       domain bases, range subtypes, multiranges' ranges, composite fields, recursively) is a core
 *                       type, has binary send and receive functions, and is not an OID alias ({@code regclass} and
 *                       the other reg* types, whose binary form is an OID of the source cluster where the text form
 *                       is a name). See {@link BinaryPortability}.
 * @param floatingPoint  real or double precision
 */
public record Column(String name, String type, long typeOid, boolean binaryPortable, boolean floatingPoint) {
}
