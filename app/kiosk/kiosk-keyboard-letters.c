/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-keyboard"

/* The on-screen keyboard's letters: every letter of DIN 91379:2022-08
 * (list version 1.3, group bll: 500 characters and 149 sequences of a
 * base letter with combining marks), taken once from the published list
 * (String-Latin project, CC BY 4.0) as code points, NFC. The groups are
 * not written down: each letter goes to the key of the first character of
 * its canonical decomposition (GLib's g_unichar_fully_decompose, in lower
 * case), or, for the few letters whose decomposition has no base among
 * a–z (ß, æ, ł, ə, ʒ, …), to the key the hand-made table no_base names.
 * Upper and lower case are paired by GLib's case mapping (NFC), so shift
 * shows the other case in the same place; a letter without a partner in
 * the list (ĸ, ŉ, İ, ı, ȧ, K͟h, …) is shown in both states.
 *
 * tests/test-kiosk-keyboard.c proves every letter and every N1 non-letter
 * of the list reachable in at most two touches. */

#include "config.h"

#include <string.h>

#include "kiosk-keyboard-letters.h"

/* Code points of each letter or sequence, 0-terminated when shorter. */
static const guint32 letters[][3] = {
  { 0x0041 }, { 0x0042 }, { 0x0043 }, { 0x0044 }, { 0x0045 }, { 0x0046 }, { 0x0047 }, { 0x0048 },
  { 0x0049 }, { 0x004A }, { 0x004B }, { 0x004C }, { 0x004D }, { 0x004E }, { 0x004F }, { 0x0050 },
  { 0x0051 }, { 0x0052 }, { 0x0053 }, { 0x0054 }, { 0x0055 }, { 0x0056 }, { 0x0057 }, { 0x0058 },
  { 0x0059 }, { 0x005A }, { 0x0061 }, { 0x0062 }, { 0x0063 }, { 0x0064 }, { 0x0065 }, { 0x0066 },
  { 0x0067 }, { 0x0068 }, { 0x0069 }, { 0x006A }, { 0x006B }, { 0x006C }, { 0x006D }, { 0x006E },
  { 0x006F }, { 0x0070 }, { 0x0071 }, { 0x0072 }, { 0x0073 }, { 0x0074 }, { 0x0075 }, { 0x0076 },
  { 0x0077 }, { 0x0078 }, { 0x0079 }, { 0x007A }, { 0x00C0 }, { 0x00C1 }, { 0x00C2 }, { 0x00C3 },
  { 0x00C4 }, { 0x00C5 }, { 0x00C6 }, { 0x00C7 }, { 0x00C8 }, { 0x00C9 }, { 0x00CA }, { 0x00CB },
  { 0x00CC }, { 0x00CD }, { 0x00CE }, { 0x00CF }, { 0x00D0 }, { 0x00D1 }, { 0x00D2 }, { 0x00D3 },
  { 0x00D4 }, { 0x00D5 }, { 0x00D6 }, { 0x00D8 }, { 0x00D9 }, { 0x00DA }, { 0x00DB }, { 0x00DC },
  { 0x00DD }, { 0x00DE }, { 0x00DF }, { 0x00E0 }, { 0x00E1 }, { 0x00E2 }, { 0x00E3 }, { 0x00E4 },
  { 0x00E5 }, { 0x00E6 }, { 0x00E7 }, { 0x00E8 }, { 0x00E9 }, { 0x00EA }, { 0x00EB }, { 0x00EC },
  { 0x00ED }, { 0x00EE }, { 0x00EF }, { 0x00F0 }, { 0x00F1 }, { 0x00F2 }, { 0x00F3 }, { 0x00F4 },
  { 0x00F5 }, { 0x00F6 }, { 0x00F8 }, { 0x00F9 }, { 0x00FA }, { 0x00FB }, { 0x00FC }, { 0x00FD },
  { 0x00FE }, { 0x00FF }, { 0x0100 }, { 0x0101 }, { 0x0102 }, { 0x0103 }, { 0x0104 }, { 0x0105 },
  { 0x0106 }, { 0x0107 }, { 0x0108 }, { 0x0109 }, { 0x010A }, { 0x010B }, { 0x010C }, { 0x010D },
  { 0x010E }, { 0x010F }, { 0x0110 }, { 0x0111 }, { 0x0112 }, { 0x0113 }, { 0x0114 }, { 0x0115 },
  { 0x0116 }, { 0x0117 }, { 0x0118 }, { 0x0119 }, { 0x011A }, { 0x011B }, { 0x011C }, { 0x011D },
  { 0x011E }, { 0x011F }, { 0x0120 }, { 0x0121 }, { 0x0122 }, { 0x0123 }, { 0x0124 }, { 0x0125 },
  { 0x0126 }, { 0x0127 }, { 0x0128 }, { 0x0129 }, { 0x012A }, { 0x012B }, { 0x012C }, { 0x012D },
  { 0x012E }, { 0x012F }, { 0x0130 }, { 0x0131 }, { 0x0132 }, { 0x0133 }, { 0x0134 }, { 0x0135 },
  { 0x0136 }, { 0x0137 }, { 0x0138 }, { 0x0139 }, { 0x013A }, { 0x013B }, { 0x013C }, { 0x013D },
  { 0x013E }, { 0x013F }, { 0x0140 }, { 0x0141 }, { 0x0142 }, { 0x0143 }, { 0x0144 }, { 0x0145 },
  { 0x0146 }, { 0x0147 }, { 0x0148 }, { 0x0149 }, { 0x014A }, { 0x014B }, { 0x014C }, { 0x014D },
  { 0x014E }, { 0x014F }, { 0x0150 }, { 0x0151 }, { 0x0152 }, { 0x0153 }, { 0x0154 }, { 0x0155 },
  { 0x0156 }, { 0x0157 }, { 0x0158 }, { 0x0159 }, { 0x015A }, { 0x015B }, { 0x015C }, { 0x015D },
  { 0x015E }, { 0x015F }, { 0x0160 }, { 0x0161 }, { 0x0162 }, { 0x0163 }, { 0x0164 }, { 0x0165 },
  { 0x0166 }, { 0x0167 }, { 0x0168 }, { 0x0169 }, { 0x016A }, { 0x016B }, { 0x016C }, { 0x016D },
  { 0x016E }, { 0x016F }, { 0x0170 }, { 0x0171 }, { 0x0172 }, { 0x0173 }, { 0x0174 }, { 0x0175 },
  { 0x0176 }, { 0x0177 }, { 0x0178 }, { 0x0179 }, { 0x017A }, { 0x017B }, { 0x017C }, { 0x017D },
  { 0x017E }, { 0x0187 }, { 0x0188 }, { 0x018F }, { 0x0197 }, { 0x01A0 }, { 0x01A1 }, { 0x01AF },
  { 0x01B0 }, { 0x01B7 }, { 0x01CD }, { 0x01CE }, { 0x01CF }, { 0x01D0 }, { 0x01D1 }, { 0x01D2 },
  { 0x01D3 }, { 0x01D4 }, { 0x01D5 }, { 0x01D6 }, { 0x01D7 }, { 0x01D8 }, { 0x01D9 }, { 0x01DA },
  { 0x01DB }, { 0x01DC }, { 0x01DE }, { 0x01DF }, { 0x01E2 }, { 0x01E3 }, { 0x01E4 }, { 0x01E5 },
  { 0x01E6 }, { 0x01E7 }, { 0x01E8 }, { 0x01E9 }, { 0x01EA }, { 0x01EB }, { 0x01EC }, { 0x01ED },
  { 0x01EE }, { 0x01EF }, { 0x01F0 }, { 0x01F4 }, { 0x01F5 }, { 0x01F8 }, { 0x01F9 }, { 0x01FA },
  { 0x01FB }, { 0x01FC }, { 0x01FD }, { 0x01FE }, { 0x01FF }, { 0x0212 }, { 0x0213 }, { 0x0218 },
  { 0x0219 }, { 0x021A }, { 0x021B }, { 0x021E }, { 0x021F }, { 0x0227 }, { 0x0228 }, { 0x0229 },
  { 0x022A }, { 0x022B }, { 0x022C }, { 0x022D }, { 0x022E }, { 0x022F }, { 0x0230 }, { 0x0231 },
  { 0x0232 }, { 0x0233 }, { 0x0259 }, { 0x0268 }, { 0x0292 }, { 0x1E02 }, { 0x1E03 }, { 0x1E06 },
  { 0x1E07 }, { 0x1E0A }, { 0x1E0B }, { 0x1E0C }, { 0x1E0D }, { 0x1E0E }, { 0x1E0F }, { 0x1E10 },
  { 0x1E11 }, { 0x1E17 }, { 0x1E1C }, { 0x1E1D }, { 0x1E1E }, { 0x1E1F }, { 0x1E20 }, { 0x1E21 },
  { 0x1E22 }, { 0x1E23 }, { 0x1E24 }, { 0x1E25 }, { 0x1E26 }, { 0x1E27 }, { 0x1E28 }, { 0x1E29 },
  { 0x1E2A }, { 0x1E2B }, { 0x1E2F }, { 0x1E30 }, { 0x1E31 }, { 0x1E32 }, { 0x1E33 }, { 0x1E34 },
  { 0x1E35 }, { 0x1E36 }, { 0x1E37 }, { 0x1E3A }, { 0x1E3B }, { 0x1E40 }, { 0x1E41 }, { 0x1E42 },
  { 0x1E43 }, { 0x1E44 }, { 0x1E45 }, { 0x1E46 }, { 0x1E47 }, { 0x1E48 }, { 0x1E49 }, { 0x1E52 },
  { 0x1E53 }, { 0x1E54 }, { 0x1E55 }, { 0x1E56 }, { 0x1E57 }, { 0x1E58 }, { 0x1E59 }, { 0x1E5A },
  { 0x1E5B }, { 0x1E5E }, { 0x1E5F }, { 0x1E60 }, { 0x1E61 }, { 0x1E62 }, { 0x1E63 }, { 0x1E6A },
  { 0x1E6B }, { 0x1E6C }, { 0x1E6D }, { 0x1E6E }, { 0x1E6F }, { 0x1E80 }, { 0x1E81 }, { 0x1E82 },
  { 0x1E83 }, { 0x1E84 }, { 0x1E85 }, { 0x1E86 }, { 0x1E87 }, { 0x1E8C }, { 0x1E8D }, { 0x1E8E },
  { 0x1E8F }, { 0x1E90 }, { 0x1E91 }, { 0x1E92 }, { 0x1E93 }, { 0x1E94 }, { 0x1E95 }, { 0x1E96 },
  { 0x1E97 }, { 0x1E9E }, { 0x1EA0 }, { 0x1EA1 }, { 0x1EA2 }, { 0x1EA3 }, { 0x1EA4 }, { 0x1EA5 },
  { 0x1EA6 }, { 0x1EA7 }, { 0x1EA8 }, { 0x1EA9 }, { 0x1EAA }, { 0x1EAB }, { 0x1EAC }, { 0x1EAD },
  { 0x1EAE }, { 0x1EAF }, { 0x1EB0 }, { 0x1EB1 }, { 0x1EB2 }, { 0x1EB3 }, { 0x1EB4 }, { 0x1EB5 },
  { 0x1EB6 }, { 0x1EB7 }, { 0x1EB8 }, { 0x1EB9 }, { 0x1EBA }, { 0x1EBB }, { 0x1EBC }, { 0x1EBD },
  { 0x1EBE }, { 0x1EBF }, { 0x1EC0 }, { 0x1EC1 }, { 0x1EC2 }, { 0x1EC3 }, { 0x1EC4 }, { 0x1EC5 },
  { 0x1EC6 }, { 0x1EC7 }, { 0x1EC8 }, { 0x1EC9 }, { 0x1ECA }, { 0x1ECB }, { 0x1ECC }, { 0x1ECD },
  { 0x1ECE }, { 0x1ECF }, { 0x1ED0 }, { 0x1ED1 }, { 0x1ED2 }, { 0x1ED3 }, { 0x1ED4 }, { 0x1ED5 },
  { 0x1ED6 }, { 0x1ED7 }, { 0x1ED8 }, { 0x1ED9 }, { 0x1EDA }, { 0x1EDB }, { 0x1EDC }, { 0x1EDD },
  { 0x1EDE }, { 0x1EDF }, { 0x1EE0 }, { 0x1EE1 }, { 0x1EE2 }, { 0x1EE3 }, { 0x1EE4 }, { 0x1EE5 },
  { 0x1EE6 }, { 0x1EE7 }, { 0x1EE8 }, { 0x1EE9 }, { 0x1EEA }, { 0x1EEB }, { 0x1EEC }, { 0x1EED },
  { 0x1EEE }, { 0x1EEF }, { 0x1EF0 }, { 0x1EF1 }, { 0x1EF2 }, { 0x1EF3 }, { 0x1EF4 }, { 0x1EF5 },
  { 0x1EF6 }, { 0x1EF7 }, { 0x1EF8 }, { 0x1EF9 }, { 0x0041, 0x030B }, { 0x0043, 0x0300 },
  { 0x0043, 0x0304 }, { 0x0043, 0x0306 }, { 0x0043, 0x0308 }, { 0x0043, 0x0315 },
  { 0x0043, 0x0323 }, { 0x0043, 0x0326 }, { 0x0043, 0x0328, 0x0306 }, { 0x0044, 0x0302 },
  { 0x0046, 0x0300 }, { 0x0046, 0x0304 }, { 0x0047, 0x0300 }, { 0x0048, 0x0304 },
  { 0x0048, 0x0326 }, { 0x0048, 0x0331 }, { 0x004A, 0x0301 }, { 0x004A, 0x030C },
  { 0x004B, 0x0300 }, { 0x004B, 0x0302 }, { 0x004B, 0x0304 }, { 0x004B, 0x0307 },
  { 0x004B, 0x0315 }, { 0x004B, 0x031B }, { 0x004B, 0x0326 }, { 0x004B, 0x035F, 0x0048 },
  { 0x004B, 0x035F, 0x0068 }, { 0x004C, 0x0302 }, { 0x004C, 0x0325 }, { 0x004C, 0x0325, 0x0304 },
  { 0x004C, 0x0326 }, { 0x004D, 0x0300 }, { 0x004D, 0x0302 }, { 0x004D, 0x0306 },
  { 0x004D, 0x0310 }, { 0x004E, 0x0302 }, { 0x004E, 0x0304 }, { 0x004E, 0x0306 },
  { 0x004E, 0x0326 }, { 0x0050, 0x0300 }, { 0x0050, 0x0304 }, { 0x0050, 0x0315 },
  { 0x0050, 0x0323 }, { 0x0052, 0x0306 }, { 0x0052, 0x0325 }, { 0x0052, 0x0325, 0x0304 },
  { 0x0053, 0x0300 }, { 0x0053, 0x0304 }, { 0x0053, 0x031B, 0x0304 }, { 0x0053, 0x0331 },
  { 0x0054, 0x0300 }, { 0x0054, 0x0304 }, { 0x0054, 0x0308 }, { 0x0054, 0x0315 },
  { 0x0054, 0x031B }, { 0x0055, 0x0307 }, { 0x005A, 0x0300 }, { 0x005A, 0x0304 },
  { 0x005A, 0x0306 }, { 0x005A, 0x0308 }, { 0x005A, 0x0327 }, { 0x0061, 0x030B },
  { 0x0063, 0x0300 }, { 0x0063, 0x0304 }, { 0x0063, 0x0306 }, { 0x0063, 0x0308 },
  { 0x0063, 0x0315 }, { 0x0063, 0x0323 }, { 0x0063, 0x0326 }, { 0x0063, 0x0328, 0x0306 },
  { 0x0064, 0x0302 }, { 0x0066, 0x0300 }, { 0x0066, 0x0304 }, { 0x0067, 0x0300 },
  { 0x0068, 0x0304 }, { 0x0068, 0x0326 }, { 0x006A, 0x0301 }, { 0x006B, 0x0300 },
  { 0x006B, 0x0302 }, { 0x006B, 0x0304 }, { 0x006B, 0x0307 }, { 0x006B, 0x0315 },
  { 0x006B, 0x031B }, { 0x006B, 0x0326 }, { 0x006B, 0x035F, 0x0068 }, { 0x006C, 0x0302 },
  { 0x006C, 0x0325 }, { 0x006C, 0x0325, 0x0304 }, { 0x006C, 0x0326 }, { 0x006D, 0x0300 },
  { 0x006D, 0x0302 }, { 0x006D, 0x0306 }, { 0x006D, 0x0310 }, { 0x006E, 0x0302 },
  { 0x006E, 0x0304 }, { 0x006E, 0x0306 }, { 0x006E, 0x0326 }, { 0x0070, 0x0300 },
  { 0x0070, 0x0304 }, { 0x0070, 0x0315 }, { 0x0070, 0x0323 }, { 0x0072, 0x0306 },
  { 0x0072, 0x0325 }, { 0x0072, 0x0325, 0x0304 }, { 0x0073, 0x0300 }, { 0x0073, 0x0304 },
  { 0x0073, 0x031B, 0x0304 }, { 0x0073, 0x0331 }, { 0x0074, 0x0300 }, { 0x0074, 0x0304 },
  { 0x0074, 0x0315 }, { 0x0074, 0x031B }, { 0x0075, 0x0307 }, { 0x007A, 0x0300 },
  { 0x007A, 0x0304 }, { 0x007A, 0x0306 }, { 0x007A, 0x0308 }, { 0x007A, 0x0327 },
  { 0x00C7, 0x0306 }, { 0x00DB, 0x0304 }, { 0x00E7, 0x0306 }, { 0x00FB, 0x0304 },
  { 0x00FF, 0x0301 }, { 0x010C, 0x0315 }, { 0x010C, 0x0323 }, { 0x010D, 0x0315 },
  { 0x010D, 0x0323 }, { 0x0113, 0x030D }, { 0x012A, 0x0301 }, { 0x012B, 0x0301 },
  { 0x014D, 0x030D }, { 0x017D, 0x0326 }, { 0x017D, 0x0327 }, { 0x017E, 0x0326 },
  { 0x017E, 0x0327 }, { 0x1E32, 0x0304 }, { 0x1E33, 0x0304 }, { 0x1E62, 0x0304 },
  { 0x1E63, 0x0304 }, { 0x1E6C, 0x0304 }, { 0x1E6D, 0x0304 }, { 0x1EA0, 0x0308 },
  { 0x1EA1, 0x0308 }, { 0x1ECC, 0x0308 }, { 0x1ECD, 0x0308 }, { 0x1EE4, 0x0304 },
  { 0x1EE4, 0x0308 }, { 0x1EE5, 0x0304 }, { 0x1EE5, 0x0308 },
};

/* Letters whose canonical decomposition starts with no letter a–z: the
 * key they are filed under and their name (lower case; upper-case forms
 * decompose to, or lower-case to, one of these). */
static const struct {
  gunichar    letter;
  char        key;
  const char *name;
} no_base[] = {
  { 0x00DF, 's', "sharp s" },
  { 0x00E6, 'a', "ae" },
  { 0x00F0, 'd', "eth" },
  { 0x00F8, 'o', "o with stroke" },
  { 0x00FE, 't', "thorn" },
  { 0x0111, 'd', "d with stroke" },
  { 0x0127, 'h', "h with stroke" },
  { 0x0131, 'i', "dotless i" },
  { 0x0133, 'i', "ij" },
  { 0x0138, 'k', "kra" },
  { 0x0140, 'l', "l with middle dot" },
  { 0x0142, 'l', "l with stroke" },
  { 0x0149, 'n', "n preceded by apostrophe" },
  { 0x014B, 'n', "eng" },
  { 0x0153, 'o', "oe" },
  { 0x0167, 't', "t with stroke" },
  { 0x0188, 'c', "c with hook" },
  { 0x01E5, 'g', "g with stroke" },
  { 0x0259, 'e', "schwa" },
  { 0x0268, 'i', "i with stroke" },
  { 0x0292, 'z', "ezh" },
};

/* The combining marks of the letters' decompositions, by their Unicode
 * names (the accessible labels of the keys). */
static const struct {
  gunichar    mark;
  const char *name;
} marks[] = {
  { 0x0300, "grave" },
  { 0x0301, "acute" },
  { 0x0302, "circumflex" },
  { 0x0303, "tilde" },
  { 0x0304, "macron" },
  { 0x0306, "breve" },
  { 0x0307, "dot above" },
  { 0x0308, "diaeresis" },
  { 0x0309, "hook above" },
  { 0x030A, "ring above" },
  { 0x030B, "double acute" },
  { 0x030C, "caron" },
  { 0x030D, "vertical line above" },
  { 0x0310, "candrabindu" },
  { 0x0311, "inverted breve" },
  { 0x0315, "comma above right" },
  { 0x031B, "horn" },
  { 0x0323, "dot below" },
  { 0x0325, "ring below" },
  { 0x0326, "comma below" },
  { 0x0327, "cedilla" },
  { 0x0328, "ogonek" },
  { 0x032E, "breve below" },
  { 0x0331, "macron below" },
  { 0x035F, "double macron below" },
};

/* The apostrophe key "’" types U+2019; a long press on it shows the other
 * non-letters of N1 that the base layout lacks (it has space, comma, full
 * stop and hyphen). */
#define APOSTROPHE_KEY "’"
static const struct {
  gunichar    c;
  const char *name;
} punctuation[] = {
  { 0x0027, "apostrophe" },
  { 0x0060, "grave accent" },
  { 0x00B4, "acute accent" },
  { 0x00A8, "diaeresis" },
  { 0x007E, "tilde" },
  { 0x00B7, "middle dot" },
  { 0x02B9, "modifier letter prime" },
  { 0x02BA, "modifier letter double prime" },
  { 0x02BE, "modifier letter right half ring" },
  { 0x02BF, "modifier letter left half ring" },
  { 0x02C8, "modifier letter vertical line" },
  { 0x02CC, "modifier letter low vertical line" },
  { 0x2021, "double dagger" },
};

static const char latin_keys[26][2] = {
  "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
  "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
};

static GPtrArray *groups;       /* of _KioskKeyGroup */
static GHashTable *groups_by_key;

static gunichar
base_char (gunichar c)
{
  gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

  if (g_unichar_fully_decompose (c, FALSE, decomposed, G_N_ELEMENTS (decomposed)) == 0)
    return c;
  return g_unichar_tolower (decomposed[0]);
}

const char *
_kiosk_keyboard_base_of (const char *letter)
{
  gunichar base;

  if (letter == NULL || *letter == '\0')
    return NULL;
  base = base_char (g_utf8_get_char (letter));
  if (base >= 'a' && base <= 'z')
    return latin_keys[base - 'a'];
  for (guint i = 0; i < G_N_ELEMENTS (no_base); i++)
    if (no_base[i].letter == base)
      return latin_keys[no_base[i].key - 'a'];
  return NULL;
}

/* Returns whether the name already says "with" (o with stroke). */
static gboolean
append_letter_name (GString *name, gunichar c)
{
  gunichar lower = g_unichar_tolower (c);
  const char *own = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (no_base); i++)
    if (no_base[i].letter == lower)
      own = no_base[i].name;
  if (g_unichar_isupper (c))
    g_string_append (name, "capital ");
  if (own != NULL)
    g_string_append (name, own);
  else if (lower >= 'a' && lower <= 'z')
    g_string_append_unichar (name, c);
  else
    g_string_append_printf (name, "U+%04X", c);
  return own != NULL && strstr (own, " with ") != NULL;
}

/* "capital n with tilde", "l with ring below and macron", "capital o with
 * stroke and acute". */
static char *
letter_name (const char *text)
{
  GString *name = g_string_new (NULL);
  gboolean had_mark = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
      gsize n = g_unichar_fully_decompose (g_utf8_get_char (p), FALSE, decomposed, G_N_ELEMENTS (decomposed));

      for (gsize i = 0; i < n; i++)
        {
          const char *mark = NULL;

          if (!g_unichar_ismark (decomposed[i]))
            {
              if (name->len > 0)
                g_string_append (name, " and ");
              had_mark = append_letter_name (name, decomposed[i]);
              continue;
            }
          for (guint m = 0; m < G_N_ELEMENTS (marks); m++)
            if (marks[m].mark == decomposed[i])
              mark = marks[m].name;
          g_string_append (name, had_mark ? " and " : " with ");
          if (mark != NULL)
            g_string_append (name, mark);
          else
            g_string_append_printf (name, "U+%04X", decomposed[i]);
          had_mark = TRUE;
        }
    }
  return g_string_free (name, FALSE);
}

static char *
nfc (char *text)
{
  char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);

  g_free (text);
  return normalized;
}

static void
variant_free (gpointer data)
{
  _KioskKeyVariant *variant = data;

  g_free (variant->lower);
  g_free (variant->upper);
  g_free (variant->name);
  g_free (variant);
}

/* Single characters first, then sequences, each in code point order (the
 * order of UTF-8 bytes). */
static int
variant_compare (gconstpointer a, gconstpointer b)
{
  const _KioskKeyVariant *x = *(const _KioskKeyVariant * const *) a;
  const _KioskKeyVariant *y = *(const _KioskKeyVariant * const *) b;
  gboolean x_sequence = g_utf8_strlen (x->lower, -1) > 1;
  gboolean y_sequence = g_utf8_strlen (y->lower, -1) > 1;

  if (x_sequence != y_sequence)
    return x_sequence ? 1 : -1;
  return strcmp (x->lower, y->lower);
}

static _KioskKeyGroup *
group_get (const char *key)
{
  _KioskKeyGroup *group = g_hash_table_lookup (groups_by_key, key);

  if (group == NULL)
    {
      group = g_new0 (_KioskKeyGroup, 1);
      group->key = key;
      group->variants = g_ptr_array_new_with_free_func (variant_free);
      g_hash_table_insert (groups_by_key, (gpointer) key, group);
    }
  return group;
}

static void
add_variant (const char *key, const char *lower, const char *upper, char *name)
{
  _KioskKeyVariant *variant = g_new0 (_KioskKeyVariant, 1);

  variant->lower = g_strdup (lower);
  variant->upper = g_strdup (upper);
  variant->name = name;
  g_ptr_array_add (group_get (key)->variants, variant);
}

static void
build_groups (void)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) upper_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) paired = g_hash_table_new (g_str_hash, g_str_equal);

  groups_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < G_N_ELEMENTS (letters); i++)
    {
      gunichar cps[3];
      glong n = 0;

      while (n < 3 && letters[i][n] != 0)
        {
          cps[n] = letters[i][n];
          n++;
        }
      g_ptr_array_add (texts, g_ucs4_to_utf8 (cps, n, NULL, NULL, NULL));
      g_hash_table_add (listed, g_ptr_array_index (texts, texts->len - 1));
    }

  /* Case pairs: an upper-case letter whose lower case (NFC) is listed.
   * Where two listed letters lower-case alike (K͟H and K͟h), the one the
   * lower case upper-cases to wins; the other stands alone. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < texts->len; i++)
      {
        const char *text = g_ptr_array_index (texts, i);
        g_autofree char *lower = nfc (g_utf8_strdown (text, -1));
        const char *listed_lower = g_hash_table_lookup (listed, lower);

        if (listed_lower == NULL || g_str_equal (lower, text)
            || g_hash_table_contains (upper_of, listed_lower) || g_hash_table_contains (paired, text))
          continue;
        if (pass == 0)
          {
            g_autofree char *upper = nfc (g_utf8_strup (lower, -1));
            if (!g_str_equal (upper, text))
              continue;
          }
        g_hash_table_insert (upper_of, (gpointer) listed_lower, (gpointer) text);
        g_hash_table_add (paired, (gpointer) text);
      }

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);
      const char *upper = g_hash_table_lookup (upper_of, text);
      const char *key = _kiosk_keyboard_base_of (text);

      if (g_hash_table_contains (paired, text))
        continue;   /* shown in its lower case's place */
      if (key == NULL)
        {
          g_critical ("DIN 91379 letter U+%04X has no key", g_utf8_get_char (text));
          continue;
        }
      if (g_str_equal (text, key))
        continue;   /* the base key itself */
      add_variant (key, text, upper != NULL ? upper : text, letter_name (text));
    }
  for (guint i = 0; i < G_N_ELEMENTS (punctuation); i++)
    {
      char text[8] = { 0 };
      g_unichar_to_utf8 (punctuation[i].c, text);
      add_variant (APOSTROPHE_KEY, text, text, g_strdup (punctuation[i].name));
    }

  groups = g_ptr_array_new ();
  for (guint k = 0; k < G_N_ELEMENTS (latin_keys); k++)
    {
      _KioskKeyGroup *group = g_hash_table_lookup (groups_by_key, latin_keys[k]);
      if (group == NULL)
        continue;
      g_ptr_array_sort (group->variants, variant_compare);
      g_ptr_array_add (groups, group);
    }
  g_ptr_array_add (groups, g_hash_table_lookup (groups_by_key, APOSTROPHE_KEY));
}

const GPtrArray *
_kiosk_keyboard_groups (void)
{
  static gsize built = 0;

  if (g_once_init_enter (&built))
    {
      build_groups ();
      g_once_init_leave (&built, 1);
    }
  return groups;
}

const _KioskKeyGroup *
_kiosk_keyboard_group_for_key (const char *key)
{
  const char *base;

  _kiosk_keyboard_groups ();
  if (g_strcmp0 (key, APOSTROPHE_KEY) == 0)
    return g_hash_table_lookup (groups_by_key, APOSTROPHE_KEY);
  /* Only letters: the base key or its neighbours ä ö ü ß. */
  if (key == NULL || g_utf8_strlen (key, -1) != 1 || !g_unichar_isalpha (g_utf8_get_char (key)))
    return NULL;
  base = _kiosk_keyboard_base_of (key);
  return base != NULL ? g_hash_table_lookup (groups_by_key, base) : NULL;
}
