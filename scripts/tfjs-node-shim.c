/*
 * libtensorflow.so.2 for @tensorflow/tfjs-node, made from PyPI's tensorflow-cpu 2.9.1 wheel
 * (scripts/build-tfjs-node.mjs builds it; nothing else uses it).
 *
 * The wheel's tensorflow/python/_pywrap_tensorflow_internal.so exports the TensorFlow C API
 * (TF_*, TFE_*) that tfjs-node's binding calls, but it is also the Python module and needs 187
 * CPython symbols that a Python process would provide. The C API never uses them, so this
 * library defines them inertly and depends on the wheel's library (DT_NEEDED, rpath $ORIGIN):
 * loading it loads the C API with every symbol resolved, even under LD_BIND_NOW=1.
 *
 *   functions: each aborts with its name, so a call that was thought impossible is loud,
 *              except Py_IsInitialized, which answers truthfully: no interpreter here;
 *   data:      the type objects, exception pointers and singletons, as zeroed storage.
 *
 * The lists are the wheel's undefined Py* / _Py* symbols: R_X86_64_JUMP_SLOT relocations are
 * functions (and PyType_GenericNew, whose address is taken); the others (GLOB_DAT only:
 * Py*_Type, PyExc_*, _Py_*Struct) are data. From `readelf -W -r _pywrap_tensorflow_internal.so`.
 * The wheel is pinned by its sha256, so the lists are fixed; the build checks with LD_BIND_NOW=1.
 */
#include <stdio.h>
#include <stdlib.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

static void shim_called(const char *name) {
  fprintf(stderr, "sae-lab tfjs-node shim: the TensorFlow C API called CPython's %s, "
                  "which does not exist outside Python; aborting\n", name);
  abort();
}

#define PY_FUNCTIONS(X) \
  X(PyArg_ParseTuple) X(PyArg_ParseTupleAndKeywords) X(PyBool_FromLong) X(PyBytes_AsString) \
  X(PyBytes_AsStringAndSize) X(PyBytes_FromString) X(PyBytes_FromStringAndSize) X(PyBytes_Size) \
  X(PyCMethod_New) X(PyCallable_Check) X(PyCapsule_GetContext) X(PyCapsule_GetName) \
  X(PyCapsule_GetPointer) X(PyCapsule_New) X(PyCapsule_SetContext) X(PyCapsule_SetPointer) \
  X(PyComplex_AsCComplex) X(PyComplex_ImagAsDouble) X(PyComplex_RealAsDouble) X(PyDict_Copy) \
  X(PyDict_DelItemString) X(PyDict_GetItem) X(PyDict_GetItemWithError) X(PyDict_Keys) X(PyDict_New) \
  X(PyDict_Next) X(PyDict_SetItem) X(PyDict_SetItemString) X(PyDict_Size) X(PyErr_Clear) \
  X(PyErr_ExceptionMatches) X(PyErr_Fetch) X(PyErr_Format) X(PyErr_NormalizeException) \
  X(PyErr_Occurred) X(PyErr_Print) X(PyErr_Restore) X(PyErr_SetObject) X(PyErr_SetString) \
  X(PyEval_AcquireThread) X(PyEval_CallObjectWithKeywords) X(PyEval_GetBuiltins) \
  X(PyEval_RestoreThread) X(PyEval_SaveThread) X(PyEval_SetProfile) X(PyException_SetTraceback) \
  X(PyFloat_AsDouble) X(PyFloat_FromDouble) X(PyFrame_GetCode) X(PyFrame_GetLineNumber) \
  X(PyGILState_Ensure) X(PyGILState_GetThisThreadState) X(PyGILState_Release) X(PyImport_AddModule) \
  X(PyImport_Import) X(PyImport_ImportModule) X(PyInstanceMethod_New) X(PyIter_Next) X(PyList_Append) \
  X(PyList_GetItem) X(PyList_New) X(PyList_SetItem) X(PyList_Size) X(PyList_Sort) X(PyLong_AsDouble) \
  X(PyLong_AsLong) X(PyLong_AsLongAndOverflow) X(PyLong_AsLongLong) X(PyLong_AsLongLongAndOverflow) \
  X(PyLong_AsUnsignedLongLong) X(PyLong_FromLong) X(PyLong_FromLongLong) X(PyMapping_Check) \
  X(PyMapping_HasKey) X(PyMapping_Keys) X(PyMapping_Size) X(PyMem_Calloc) X(PyMem_Free) \
  X(PyModule_Create2) X(PyNumber_Float) X(PyNumber_Long) X(PyObject_Call) X(PyObject_CallFunction) \
  X(PyObject_CallFunctionObjArgs) X(PyObject_CallMethod) X(PyObject_CallMethodObjArgs) \
  X(PyObject_CallObject) X(PyObject_ClearWeakRefs) X(PyObject_GC_UnTrack) X(PyObject_GetAttr) \
  X(PyObject_GetAttrString) X(PyObject_GetBuffer) X(PyObject_GetItem) X(PyObject_GetIter) \
  X(PyObject_HasAttrString) X(PyObject_Hash) X(PyObject_IsInstance) X(PyObject_IsSubclass) \
  X(PyObject_IsTrue) X(PyObject_Repr) X(PyObject_RichCompareBool) X(PyObject_SetAttrString) \
  X(PyObject_SetItem) X(PyObject_Str) X(PyRun_SimpleStringFlags) X(PySequence_Check) \
  X(PySequence_Fast) X(PySequence_GetItem) X(PySequence_List) X(PySequence_SetItem) X(PySequence_Size) \
  X(PySequence_Tuple) X(PySet_New) X(PySet_Pop) X(PySys_WriteStdout) X(PyThreadState_Clear) \
  X(PyThreadState_DeleteCurrent) X(PyThreadState_Get) X(PyThreadState_New) X(PyThreadState_Swap) \
  X(PyThread_tss_alloc) X(PyThread_tss_create) X(PyThread_tss_get) X(PyThread_tss_set) \
  X(PyTuple_GetItem) X(PyTuple_New) X(PyTuple_Pack) X(PyTuple_SetItem) X(PyTuple_Size) \
  X(PyType_FromSpecWithBases) X(PyType_GenericNew) X(PyType_IsSubtype) X(PyType_Ready) \
  X(PyUnicode_AsASCIIString) X(PyUnicode_AsUTF8) X(PyUnicode_AsUTF8AndSize) X(PyUnicode_AsUTF8String) \
  X(PyUnicode_DecodeUTF8) X(PyUnicode_FromString) X(PyUnicode_FromStringAndSize) \
  X(PyUnicode_InternFromString) X(PyUnicode_InternInPlace) X(PyWeakref_NewRef) X(Py_BuildValue) \
  X(Py_DecRef) X(Py_EnterRecursiveCall) X(Py_GetVersion) X(Py_IncRef) \
  X(Py_LeaveRecursiveCall) X(_PyArg_NoKeywords) X(_PyObject_GetDictPtr) X(_PyObject_New) \
  X(_PyThreadState_UncheckedGet) X(_PyType_Lookup) X(_Py_Dealloc) X(_Py_HashDouble)

#define PY_DATA(X) \
  X(PyBaseObject_Type) X(PyBool_Type) X(PyCFunction_Type) X(PyCapsule_Type) X(PyComplex_Type) \
  X(PyExc_AssertionError) X(PyExc_AttributeError) X(PyExc_BufferError) X(PyExc_Exception) \
  X(PyExc_ImportError) X(PyExc_IndexError) X(PyExc_MemoryError) X(PyExc_NotImplementedError) \
  X(PyExc_OverflowError) X(PyExc_RuntimeError) X(PyExc_StopIteration) X(PyExc_SystemError) \
  X(PyExc_TypeError) X(PyExc_ValueError) X(PyFloat_Type) X(PyInstanceMethod_Type) X(PyLong_Type) \
  X(PyProperty_Type) X(PySet_Type) X(PyTuple_Type) X(PyType_Type) X(_Py_FalseStruct) X(_Py_NoneStruct) \
  X(_Py_NotImplementedStruct) X(_Py_TrueStruct)

#define DEFINE_FUNCTION(name) SHIM_EXPORT void name(void) { shim_called(#name); }
PY_FUNCTIONS(DEFINE_FUNCTION)

/* 512 bytes each: larger than a PyTypeObject (about 400 on CPython 3.10, x86-64). */
#define DEFINE_DATA(name) SHIM_EXPORT __attribute__((aligned(64))) char name[512];
PY_DATA(DEFINE_DATA)

SHIM_EXPORT int Py_IsInitialized(void) { return 0; }
